"""Results kept between runs (the validated bank, parsed package YAML), keyed by the bytes they come from.

A value is read back only for exactly the same key; anything unreadable is rebuilt, and a cache that
cannot be written is simply not used. Deleting the cache folder loses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable
from typing import TypeVar

from kamtrain.paths import cache_dir, write_atomically

T = TypeVar("T")


def remembered(folder: str, key: bytes, kind: type[T], build: Callable[[], T]) -> T:
    """The `kind` value cached under `key` in `folder`, else `build()`, cached for next time."""
    path = cache_dir() / folder / f"{hashlib.sha256(key).hexdigest()[:32]}.pickle"
    try:
        with path.open("rb") as stream:
            value = pickle.load(stream)
        if isinstance(value, kind):
            return value
    except Exception:  # absent, unreadable or from another version of the code: rebuild it
        pass
    value = build()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
