"""Grading a cohort's written replies in one go: JSONL or CSV in, one JSON object per reply out."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from kamtrain.model import BAD_MOVES, Scenario
from kamtrain.roleplay.coach import Coach, feedback
from kamtrain.roleplay.session import label
from kamtrain.tables import csv_rows

FIELDS = ("id", "text", "lang")


def read_rows(stream: io.TextIOBase | Any, name: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) for every non-empty input line; a row that cannot be read is an error string."""
    if name.endswith(".csv"):
        header, rows = csv_rows(stream.read())
        missing = [f for f in ("id", "text") if f not in header]
        if missing:
            yield 1, f"CSV header lacks column(s) {', '.join(missing)}; expected id,text,lang"
            return
        yield from rows
        return
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, f"not valid JSON: {err.msg} (column {err.colno})"
            continue
        if not isinstance(row, dict):
            yield number, "expected a JSON object with id, text and lang"
            continue
        yield number, row


def grade_rows(rows: Iterable[tuple[int, dict[str, Any] | str]], scenario: Scenario) -> Iterator[dict[str, Any]]:
    """One result object per input row, in order; bad rows become error objects with their line."""
    coach = Coach(scenario)
    for line, row in rows:
        if isinstance(row, str):
            yield {"line": line, "error": row}
            continue
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            yield {"line": line, "id": row.get("id"), "error": "field 'text' is missing or empty"}
            continue
        given = row.get("lang")
        lang = given if isinstance(given, str) and given in ("vi", "en") else coach.detect_language(text)
        verdict = coach.judge(text, lang)
        yield {"id": row.get("id"), **verdict.to_json(), "feedback": feedback(verdict, lang, scenario)}


def summary(results: list[dict[str, Any]], fmt: str, lang: str = "en") -> str:
    """A mentor's table: grade distribution and the most missed moves, as CSV (English column names,
    for other tools) or Markdown in the mentor's language."""
    graded = [r for r in results if "grade" in r]
    grades = Counter(r["grade"] for r in graded)
    missed = Counter(m for r in graded for m in r["feedback"]["add"])
    made_bad = Counter(m for r in graded for m in r["moves"] if m in BAD_MOVES)
    errors = len(results) - len(graded)
    if fmt == "csv":
        words = {key: label(f"cohort_{key}", "en") for key in ("grade", "missing", "bad", "unreadable")}
    else:
        words = {key: label(f"cohort_{key}", lang) for key in ("grade", "missing", "bad", "unreadable")}
    rows = [(words["grade"], str(g), str(grades.get(g, 0))) for g in range(1, 6)]
    rows += [(words["missing"], m, str(n)) for m, n in missed.most_common()]
    rows += [(words["bad"], m, str(n)) for m, n in made_bad.most_common()]
    rows.append((words["unreadable"], "", str(errors)))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["what", "value", "replies"])
        writer.writerows(rows)
        per_reply = [(r.get("id"), r.get("grade"), " ".join(r.get("moves", [])), r.get("error", "")) for r in results]
        writer.writerow([])
        writer.writerow(["id", "grade", "moves", "error"])
        writer.writerows(per_reply)
        return out.getvalue()
    mean = sum(r["grade"] for r in graded) / len(graded) if graded else 0.0
    head = [label(f"cohort_{key}", lang) for key in ("what", "value", "replies")]
    lines = [f"# {label('cohort_title', lang).format(count=len(graded), mean=f'{mean:.1f}')}", "",
             f"| {' | '.join(head)} |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    per_reply_head = [label(f"cohort_{key}", lang) for key in ("id", "grade", "moves")]
    lines += ["", f"| {' | '.join(per_reply_head)} |", "|---|---|---|"]
    error = label("cohort_error", lang)
    lines += [f"| {_cell(r.get('id'))} | {r.get('grade', error)} | "
              f"{', '.join(r.get('moves', [])) or _cell(r.get('error', ''))} |" for r in results]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    """A value from the input, safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    for char in "\\|<>[]*_`":
        text = text.replace(char, "\\" + char)
    return text
