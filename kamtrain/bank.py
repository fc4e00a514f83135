"""Loading content layers (built-in, then each organisation's bank) into one validated `Bank`.

A layer has the repository's layout: `question_bank/*.yaml`, `rubrics/*.yaml`, `scenarios/*.yaml`.
An id defined in a lower layer is replaced by a higher one; the same id twice in one layer is an error.
A bank is parsed and validated (`kamtrain.validation`) only when its files changed since the last
run; otherwise it is read back from the cache, which needs neither PyYAML nor pydantic.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path

from kamtrain.errors import UserError
from kamtrain.model import Bank

FOLDERS = ("question_bank", "rubrics", "scenarios")


def builtin_root() -> Path:
    """Where the built-in content lives: inside the installed package, or at the repository root."""
    package = Path(__file__).resolve().parent
    installed = package / "content"
    return installed if installed.is_dir() else package.parent


def load_bank(extra: Sequence[Path] = (), *, include_builtin: bool = True) -> Bank:
    """Load the built-in content plus `extra` bank folders, in order; raise ContentInvalid on problems.

    A bank that validated before, from files with exactly the same bytes, is read back from the
    cache instead of being parsed and validated again; content with problems is never cached.
    """
    roots = ([builtin_root()] if include_builtin else []) + [Path(p) for p in extra]
    for root in roots[1 if include_builtin else 0:]:
        _check_bank_folder(root)
    cache = _cache_path(roots)
    if cache is not None:
        cached = _read_cache(cache)
        if cached is not None:
            return cached
    from kamtrain.validation import load_and_validate

    bank = load_and_validate(roots)
    if cache is not None:
        _write_cache(cache, bank)
    return bank


def _cache_path(roots: list[Path]) -> Path | None:
    """The cache file for exactly these content files and this version of the loading code, or None."""
    from kamtrain import __version__
    from kamtrain.paths import cache_dir

    digest = hashlib.sha256(__version__.encode())
    for module in ("model.py", "bank.py", "validation.py", "yamlfile.py"):  # the code that decides what a valid bank is
        digest.update(Path(__file__).with_name(module).read_bytes())
    for root in roots:
        for folder in FOLDERS:
            for path in yaml_files(root / folder):
                try:
                    content = path.read_bytes()
                except OSError:
                    return None  # the full load reports it
                digest.update(f"{root}/{folder}/{path.name}:{len(content)}:".encode())
                digest.update(content)
    return cache_dir() / "banks" / f"{digest.hexdigest()[:32]}.pickle"


def _read_cache(path: Path) -> Bank | None:
    try:
        with path.open("rb") as stream:
            bank = pickle.load(stream)
    except Exception:  # absent, unreadable or from another version of the model: rebuild it
        return None
    return bank if isinstance(bank, Bank) else None


def _write_cache(path: Path, bank: Bank) -> None:
    from kamtrain.paths import write_atomically

    with contextlib.suppress(OSError):  # a cache that cannot be written is simply not used
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, pickle.dumps(bank, protocol=pickle.HIGHEST_PROTOCOL))


def _check_bank_folder(root: Path) -> None:
    if not root.exists():
        raise UserError(f"bank folder '{root}' does not exist")
    if not root.is_dir():
        raise UserError(f"bank folder '{root}' is not a folder")
    if not any(yaml_files(root / folder) for folder in FOLDERS):
        raise UserError(
            f"bank folder '{root}' holds no YAML files in question_bank/, rubrics/ or scenarios/"
        )


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


