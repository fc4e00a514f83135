"""The YAML files shipped inside the package (labels, settings, the coach's cues), read once each."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from kamtrain.cache import remembered


@functools.cache
def package_yaml(name: str) -> Any:
    """A YAML file under the kamtrain package, e.g. 'roleplay/cues.yaml'. Treat the result as read-only.

    Parsed once per version of the file and kept in the cache, so most commands never import PyYAML.
    """
    raw = (Path(__file__).parent / name).read_bytes()  # a plain folder: no importlib.resources

    def parse() -> Any:
        import yaml

        return yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    from kamtrain import __version__

    return remembered("package", f"{__version__}\0{name}\0".encode() + raw, object, parse)


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
