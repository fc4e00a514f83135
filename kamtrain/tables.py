"""Reading the CSV files people bring (candidates, scorecards, a cohort's replies) one way everywhere."""

from __future__ import annotations

import csv
from collections.abc import Iterator


def csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (trimmed, lower case) and the non-empty rows as (line number, {column: value}).

    A ';' header is read as ';'-separated, as Excel writes CSV in some locales; strip a byte-order
    mark before calling (open with encoding 'utf-8-sig').
    """
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in reader:
            values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
            if any(values.values()):
                yield reader.line_num, values

    return header, rows()
