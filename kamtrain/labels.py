"""The words practice and progress show a user, read from practice_labels.yaml (vi and en)."""

from __future__ import annotations

from typing import Any

from kamtrain.resources import package_yaml


def _labels() -> dict[str, Any]:
    loaded: dict[str, Any] = package_yaml("practice_labels.yaml")
    return loaded


def label(section: str, key: str, lang: str, **values: Any) -> str:
    """One label in `lang`, with its {placeholders} filled in."""
    text = str(_labels()[section][key][lang])
    return text.format(**values) if values else text


def labels(section: str, key: str, lang: str) -> dict[Any, str]:
    """A group of labels (such as the four rating names) in `lang`, by their keys."""
    return {k: str(v[lang]) for k, v in _labels()[section][key].items()}


def section(name: str, lang: str) -> dict[str, str]:
    """Every plain label of a section in `lang` (for templates), without filling placeholders."""
    entries = _labels()[name].items()
    return {key: str(value[lang]) for key, value in entries if isinstance(value, dict) and lang in value}
