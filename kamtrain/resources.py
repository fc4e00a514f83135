"""The YAML files shipped inside the package (labels, settings, the coach's cues), read once each."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml


@functools.cache
def package_yaml(name: str) -> Any:
    """A YAML file under the kamtrain package, e.g. 'roleplay/cues.yaml'. Treat the result as read-only."""
    text = (Path(__file__).parent / name).read_text(encoding="utf-8")  # a plain folder: no importlib.resources
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def is_text(value: Any) -> bool:
    """Whether `value` is a bilingual leaf: exactly {vi: ..., en: ...}."""
    return isinstance(value, dict) and set(value) == {"vi", "en"}


def in_language(value: Any, lang: str) -> Any:
    """The same structure with every {vi, en} leaf replaced by its text in `lang`."""
    if is_text(value):
        return str(value[lang])
    if isinstance(value, dict):
        return {str(k): in_language(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [in_language(v, lang) for v in value]
    return value
