"""Loading content layers (built-in, then each organisation's bank) into one validated `Bank`.

A layer has the repository's layout: `question_bank/*.yaml`, `rubrics/*.yaml`, `scenarios/*.yaml`.
An id defined in a lower layer is replaced by a higher one; the same id twice in one layer is an error.
Every problem of a run is collected and reported together, each with its file and line.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from kamtrain.errors import ContentInvalid, Problem, UserError, did_you_mean
from kamtrain.model import (
    LEVEL_IDS,
    Bank,
    Competency,
    LevelProfile,
    Question,
    Scenario,
)

if TYPE_CHECKING:
    from kamtrain.yamlfile import YamlDoc

# Folder -> the sections its files may hold -> the model of one entry. A scenario file is one entry.
SECTIONS: dict[str, dict[str, type[BaseModel]]] = {
    "question_bank": {"questions": Question},
    "rubrics": {"levels": LevelProfile, "competencies": Competency},
    "scenarios": {},
}
ENTRY_NAMES = {"questions": "question", "levels": "level", "competencies": "competency", "scenarios": "scenario"}


def builtin_root() -> Path:
    """Where the built-in content lives: inside the installed package, or at the repository root."""
    package = Path(__file__).resolve().parent
    installed = package / "content"
    return installed if installed.is_dir() else package.parent


@dataclass(frozen=True)
class Origin:
    """Where an entry was defined, for messages about it."""

    doc: YamlDoc
    loc: tuple[Any, ...]

    def line(self, *field: Any) -> int:
        return self.doc.line_of(self.loc + field)


# A validated entry (Question, LevelProfile, Competency or Scenario) and where it was defined.
Located = tuple[Any, Origin]


@dataclass
class _Layer:
    entries: dict[str, dict[str, Located]]


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
    bank = _load_and_validate(roots)
    if cache is not None:
        _write_cache(cache, bank)
    return bank


def _load_and_validate(roots: list[Path]) -> Bank:
    problems: list[Problem] = []
    merged: dict[str, dict[str, Located]] = {section: {} for section in ENTRY_NAMES}
    for root in roots:
        layer = _load_layer(root, problems)
        for section, entries in layer.entries.items():
            merged[section].update(entries)
    bank_data = {section: {key: model for key, (model, _) in entries.items()} for section, entries in merged.items()}
    bank = Bank(**bank_data)
    problems.extend(_cross_check(bank, merged))
    if problems:
        raise ContentInvalid(sorted(problems, key=lambda p: (str(p.path), p.line or 0)))
    return bank


def _cache_path(roots: list[Path]) -> Path | None:
    """The cache file for exactly these content files and this version of the loading code, or None."""
    from kamtrain import __version__
    from kamtrain.paths import cache_dir

    digest = hashlib.sha256(__version__.encode())
    for module in ("model.py", "bank.py", "yamlfile.py"):  # the code that decides what a valid bank is
        digest.update(Path(__file__).with_name(module).read_bytes())
    for root in roots:
        for folder in SECTIONS:
            for path in _yaml_files(root / folder):
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
    except Exception:  # absent, unreadable or from another pydantic: rebuild it
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
    if not any(_yaml_files(root / folder) for folder in SECTIONS):
        raise UserError(
            f"bank folder '{root}' holds no YAML files in question_bank/, rubrics/ or scenarios/"
        )


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _load_layer(root: Path, problems: list[Problem]) -> _Layer:
    from kamtrain.yamlfile import ProblemError, read_yaml  # only here: a cached bank needs no YAML parser

    layer = _Layer({section: {} for section in ENTRY_NAMES})
    for folder, sections in SECTIONS.items():
        for path in _yaml_files(root / folder):
            try:
                doc = read_yaml(path)
            except ProblemError as err:
                problems.append(err.problem)
                continue
            if sections:
                _load_sections(doc, sections, layer, problems)
            else:
                _add(layer, "scenarios", Scenario, doc.data, Origin(doc, ()), problems)
    return layer


def _load_sections(
    doc: YamlDoc, sections: dict[str, type[BaseModel]], layer: _Layer, problems: list[Problem]
) -> None:
    names = " or ".join(f"'{s}:'" for s in sections)
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.path, 1, f"expected a mapping with {names} at the top"))
        return
    for key, items in doc.data.items():
        if key not in sections:
            hint = did_you_mean(str(key), sections)
            problems.append(Problem(doc.path, doc.line_of((key,)), f"unknown section '{key}'{hint}; expected {names}"))
            continue
        if not isinstance(items, list):
            problems.append(Problem(doc.path, doc.line_of((key,)), f"'{key}' must be a list of entries"))
            continue
        for index, item in enumerate(items):
            _add(layer, key, sections[key], item, Origin(doc, (key, index)), problems)


def _add(
    layer: _Layer, section: str, model: type[BaseModel], data: Any, origin: Origin, problems: list[Problem]
) -> None:
    label = _entry_label(section, data, origin)
    try:
        entry: Any = model.model_validate(data)
    except ValidationError as err:
        for error in err.errors():
            loc = tuple(part for part in error["loc"] if part != "[key]")
            problems.append(Problem(origin.doc.path, origin.line(*loc), f"{label}: {_describe(model, error, loc)}"))
        return
    entry_id = entry.id
    earlier = layer.entries[section].get(entry_id)
    if earlier is not None:
        first = earlier[1]
        problems.append(Problem(
            origin.doc.path, origin.line("id"),
            f"{ENTRY_NAMES[section]} id '{entry_id}' is already defined at {first.doc.path.name}:{first.line('id')}",
        ))
        return
    layer.entries[section][entry_id] = (entry, origin)


def _entry_label(section: str, data: Any, origin: Origin) -> str:
    name = ENTRY_NAMES[section]
    entry_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(entry_id, str) and entry_id:
        return f"{name} '{entry_id}'"
    return f"{section}[{origin.loc[-1]}]" if origin.loc else name


def _describe(model: type[BaseModel], error: Any, loc: tuple[Any, ...]) -> str:
    """One plain sentence for a pydantic error, named by its field path."""
    field = _dotted(loc)
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if loc and loc[-1] in ("vi", "en"):
            other = "en" if loc[-1] == "vi" else "vi"
            parent = _dotted(loc[:-1]) or "text"
            return f"{parent}: has '{other}' but no '{loc[-1]}' (every text needs both vi and en)"
        return f"field '{field}' is required"
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else field
        return f"unknown field '{name}'{did_you_mean(name, _fields_at(model, loc[:-1]))}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        return f"{field}: '{value}' is not allowed{did_you_mean(str(value), choices)}; expected {expected}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field}: expected a whole number, got {value!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {"greater_than": "greater than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"{field}: must be {bound} {limit}, got {value!r}"
    if kind == "too_short":
        return f"{field}: needs at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "string_too_short":
        return f"{field}: must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{field}: '{value}' is not a valid id (use lowercase letters, digits and hyphens)"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        wanted = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping"}.get(kind, "a mapping")
        return f"{field + ': ' if field else ''}expected {wanted}, got {_kind_of(value)}"
    if kind == "value_error":
        return f"{field + ': ' if field else ''}{ctx.get('error', error['msg'])}"
    return f"{field + ': ' if field else ''}{error['msg']}"


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{value!r}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by following `loc` from `model`, for 'did you mean'."""
    current: Any = model
    for part in loc:
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            field_info = current.model_fields.get(part)
            if field_info is None:
                return []
            current = _inner_model(field_info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The model inside an annotation such as list[Text] or dict[str, dict[int, Text]]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(getattr(annotation, "__args__", ()) or ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _cross_check(bank: Bank, merged: dict[str, dict[str, Located]]) -> list[Problem]:
    problems: list[Problem] = []
    competencies = bank.competencies
    for section in ("questions", "scenarios"):
        for entry_id, (entry, origin) in merged[section].items():
            competency_id = entry.competency
            label = f"{ENTRY_NAMES[section]} '{entry_id}'"
            competency = competencies.get(competency_id)
            if competency is None:
                hint = did_you_mean(competency_id, competencies)
                problems.append(Problem(origin.doc.path, origin.line("competency"),
                                        f"{label}: competency '{competency_id}' is not defined{hint}"))
                continue
            if section == "questions":
                for index, level in enumerate(entry.levels):
                    if level not in competency.rubric:
                        problems.append(Problem(
                            origin.doc.path, origin.line("levels", index),
                            f"{label}: level '{level}' has no rubric in competency '{competency_id}'",
                        ))
    if competencies or bank.questions:
        for level in LEVEL_IDS:
            if level not in bank.levels:
                problems.append(Problem(builtin_root() / "rubrics", None, f"level '{level}' has no profile"))
    return problems
