"""Where kamtrain keeps a user's own data (transcripts, practice history)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "KAMTRAIN_DATA_DIR"


def data_dir() -> Path:
    """$KAMTRAIN_DATA_DIR, else the platform's user data folder (~/.local/share/kamtrain on Linux)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("kamtrain", appauthor=False))


CACHE_DIR_ENV = "KAMTRAIN_CACHE_DIR"


def cache_dir() -> Path:
    """$KAMTRAIN_CACHE_DIR, else the platform's user cache folder (~/.cache/kamtrain on Linux).

    Only things kamtrain can rebuild live here (the validated bank, parsed package YAML, compiled
    templates): deleting the folder loses nothing.
    """
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kamtrain", appauthor=False))


def write_atomically(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` (text as UTF-8) in one step: a failure half-way leaves the old file whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
