"""JSON Schema for each content file kind, so editors can autocomplete and check the YAML."""

from __future__ import annotations

import json
from pathlib import Path

from kamtrain.errors import UserError
from kamtrain.model import FILE_KINDS


def schema_for(folder: str) -> dict[str, object]:
    from pydantic import TypeAdapter

    schema = TypeAdapter(FILE_KINDS[folder]).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"kamtrain {folder} file"
    return schema


def write_schemas(output: Path) -> list[Path]:
    """Write `<folder>.schema.json` for every content folder into `output`; return the paths."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        written = []
        for folder in FILE_KINDS:
            path = output / f"{folder}.schema.json"
            path.write_text(json.dumps(schema_for(folder), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            written.append(path)
    except OSError as err:
        raise UserError(f"cannot write schemas to '{output}': {err.strerror}") from None
    return written
