"""Reading content layers from YAML and validating them with pydantic into one `Bank`.

Only a bank that is not in the cache comes here. Every problem of a run is collected and reported
together, each with its file and line.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kamtrain.bank import builtin_root, yaml_files
from kamtrain.errors import ContentInvalid, Problem, did_you_mean
from kamtrain.model import LEVEL_IDS, Bank, Competency, LevelProfile, Question, Scenario
from kamtrain.yamlfile import ProblemError, YamlDoc, read_yaml

# Folder -> the sections its files may hold -> the model of one entry. A scenario file is one entry.
SECTIONS: dict[str, dict[str, type]] = {
    "question_bank": {"questions": Question},
    "rubrics": {"levels": LevelProfile, "competencies": Competency},
    "scenarios": {},
}
ENTRY_NAMES = {"questions": "question", "levels": "level", "competencies": "competency", "scenarios": "scenario"}


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


def load_and_validate(roots: list[Path]) -> Bank:
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


def _load_layer(root: Path, problems: list[Problem]) -> _Layer:
    layer = _Layer({section: {} for section in ENTRY_NAMES})
    for folder, sections in SECTIONS.items():
        for path in yaml_files(root / folder):
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
    doc: YamlDoc, sections: dict[str, type], layer: _Layer, problems: list[Problem]
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
    layer: _Layer, section: str, model: type, data: Any, origin: Origin, problems: list[Problem]
) -> None:
    label = _entry_label(section, data, origin)
    try:
        entry: Any = _adapter(model).validate_python(data)
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


def _describe(model: type, error: Any, loc: tuple[Any, ...]) -> str:
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
    if kind == "unexpected_keyword_argument":  # what pydantic reports for a field a dataclass lacks
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
    if kind in ("string_type", "list_type", "dict_type", "dataclass_type", "dataclass_args_type"):
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


def _fields_at(model: type, loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by following `loc` from `model`, for 'did you mean'."""
    current: Any = model
    for part in loc:
        if isinstance(part, str) and dataclasses.is_dataclass(current):
            annotation = typing.get_type_hints(current).get(part)
            if annotation is None:
                return []
            current = _inner_model(annotation)
    if isinstance(current, type) and dataclasses.is_dataclass(current):
        return [f.name for f in dataclasses.fields(current)]
    return []


def _inner_model(annotation: Any) -> Any:
    """The model inside an annotation such as list[Text] or dict[str, dict[int, Text]]."""
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    for arg in reversed(getattr(annotation, "__args__", ()) or ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


@functools.cache
def _adapter(model: type) -> TypeAdapter[Any]:
    return TypeAdapter(model)


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
