"""Loading content layers (built-in, then each organisation's bank) into one validated `Bank`.

A layer has the repository's layout: `question_bank/*.yaml`, `rubrics/*.yaml`, `scenarios/*.yaml`.
An id defined in a lower layer is replaced by a higher one; the same id twice in one layer is an error.
A bank is parsed and validated (`kamtrain.validation`) only when its files changed since the last
run; otherwise it is read back from the cache, which needs neither PyYAML nor pydantic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from kamtrain.errors import UserError
from kamtrain.model import FILE_KINDS, Bank

FOLDERS = tuple(FILE_KINDS)  # question_bank, rubrics, scenarios


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
    def build() -> Bank:
        from kamtrain.validation import load_and_validate  # only here: a cached bank needs neither YAML nor pydantic

        return load_and_validate(roots)

    key = _content_key(roots)
    if key is None:
        return build()
    from kamtrain.cache import remembered

    return remembered("banks", key, Bank, build)


def _content_key(roots: list[Path]) -> bytes | None:
    """The bytes of every content file and of the code that decides what a valid bank is, or None."""
    from kamtrain import __version__

    digest = hashlib.sha256(__version__.encode())
    for module in ("model.py", "bank.py", "validation.py", "yamlfile.py"):
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
    return digest.digest()


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


