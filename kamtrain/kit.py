"""Interview kits, practice sheets and mentor plans as files: one at a time, or one per row of a CSV.

The last step of the flow: a selection (kamtrain.select) or plan (kamtrain.mentor) goes through
kamtrain.render and lands in the output folder; every failure becomes one line for the user.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kamtrain.errors import ContentInvalid, Problem, UserError, did_you_mean, display_path
from kamtrain.model import Bank
from kamtrain.paths import write_atomically
from kamtrain.render import Renderer, slug, write_pdf
from kamtrain.scorecard import Panel, follow_ups, merge, read_cards
from kamtrain.select import DEFAULT_SEED, check_level, select_practice, select_round
from kamtrain.tables import csv_rows

LANGS = ("vi", "en")
MAX_NAME = 120


@dataclass(frozen=True)
class KitRequest:
    """What one kit is for; a CSV row fills in name, level, round and lang."""

    level: str
    minutes: int = 60
    lang: str = "vi"
    fmt: str = "html"
    seed: int = DEFAULT_SEED
    round: int = 1
    candidate: str | None = None
    practice: bool = False
    exclude: frozenset[str] | None = None
    earlier: Panel | None = None  # the earlier rounds' filled scorecards, for the next interviewer

    def stem(self) -> str:
        """'kit-kam-nguyen-thi-lan-r1': the file name without its extension."""
        who = f"-{slug(self.candidate, 'candidate')}" if self.candidate else ""
        if self.practice:
            return f"practice-{self.level}{who}-r{self.round}"
        return f"kit-{self.level}{who}-r{self.round}"


def clean_name(name: str | None) -> str | None:
    """A candidate's name on one line, or None; raise UserError for one that is too long."""
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_NAME:
        raise UserError(f"name is {len(cleaned)} characters long; the limit is {MAX_NAME}")
    return cleaned or None


def make_kit(bank: Bank, request: KitRequest, out_dir: Path, renderer: Renderer) -> list[Path]:
    """Write one interview kit and its scorecard file (or one practice sheet); return the paths."""
    check_level(bank, request.level)
    stem = request.stem()
    follow_up: dict[str, str] = {}
    if request.earlier is not None:
        follow_up = follow_ups(request.earlier, [c.id for c in bank.competencies_for(request.level)])
    if request.practice:  # it leaves out the interview's questions, so it needs the same follow-ups
        selection = select_practice(bank, request.level, request.minutes, request.seed, request.round,
                                    request.exclude, first=list(follow_up))
        document = renderer.practice(bank, selection, request.candidate, request.fmt)
        return [write_document(out_dir / f"{stem}.{request.fmt}", document, request.fmt)]
    selection = select_round(bank, request.level, request.minutes, request.seed, request.round, request.exclude,
                             first=list(follow_up))
    card_name = stem.replace("kit-", "scorecard-", 1) + ".yaml"
    document = renderer.kit(bank, selection, request.candidate, request.fmt, card_name, request.earlier, follow_up)
    card = renderer.scorecard_file(bank, selection, request.candidate, card_name)
    _refuse_to_overwrite_a_filled_card(out_dir / card_name, card)
    return [write_document(out_dir / f"{stem}.{request.fmt}", document, request.fmt),
            write_document(out_dir / card_name, card, "yaml")]


def _refuse_to_overwrite_a_filled_card(path: Path, card: str) -> None:
    """A scorecard that differs from the blank one we would write may hold an interviewer's scores."""
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError):
        existing = None
    if existing != card:
        raise UserError(f"'{display_path(path)}' already exists and is not the blank card (an interviewer's "
                        "scores?); it is kept: move it away or write to another folder with -o")


def write_document(path: Path, text: str, fmt: str) -> Path:
    """Write `text` to `path` (printed to PDF for fmt 'pdf'); raise UserError when that fails."""
    try:
        if fmt == "pdf":
            write_pdf(text, path)
        else:
            write_atomically(path, text)
    except OSError as err:
        raise UserError(f"cannot write '{display_path(path)}': {err.strerror or err}") from None
    return path


def prepare_out_dir(out_dir: Path) -> Path:
    """Create the output folder; raise UserError when it cannot be created or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"cannot write to '{out_dir}': a file of that name is in the way") from None
    except OSError as err:
        raise UserError(f"cannot write to '{out_dir}': {err.strerror or err}") from None
    if not os.access(out_dir, os.W_OK):
        raise UserError(f"cannot write to '{out_dir}': permission denied")
    return out_dir


def read_earlier_rounds(paths: tuple[Path, ...], bank: Bank, level: str, candidate: str | None
                        ) -> tuple[frozenset[str] | None, Panel | None]:
    """From earlier rounds' scorecard files: the question ids they list (None without files), and the
    filled-in cards merged into one panel (None when none is filled in).

    A blank card only leaves its questions out. Filled ones must be complete and for this level (and
    this candidate, when one is named), as `scorecard merge` requires.
    """
    if not paths:
        return None, None
    from kamtrain.yamlfile import ProblemError, read_yaml

    ids: set[str] = set()
    filled: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.is_file():
            raise UserError(f"cannot read '{path}': no such file")
        try:
            doc = read_yaml(path)
        except ProblemError as err:
            problems.append(err.problem)
            continue
        listed = doc.data.get("questions") if isinstance(doc.data, dict) else None
        if not isinstance(listed, list) or not all(isinstance(q, str) for q in listed):
            line = doc.line_of(("questions",))
            problems.append(Problem(path, line, "expected a 'questions:' list of question ids, as in the "
                                                "scorecard file a kit writes"))
            continue
        ids.update(listed)
        if _has_scores(doc.data):
            filled.append(path)
    if problems:
        raise ContentInvalid(problems)
    earlier = merge(read_cards(filled, bank), bank, level, candidate) if filled else None
    return frozenset(ids), earlier


def _has_scores(card: dict[str, Any]) -> bool:
    scores = card.get("scores")
    if not isinstance(scores, dict):
        return False
    # A card may give `competency: {score: 4, notes: ...}` or, short, `competency: 4`.
    return any((entry.get("score") if isinstance(entry, dict) else entry) is not None for entry in scores.values())


# A batch from a CSV of candidates


@dataclass(frozen=True)
class RowFailure:
    path: Path
    row: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.row}: {self.message}"


REQUIRED_COLUMNS = ("name", "level")
OPTIONAL_COLUMNS = ("round", "lang")


def read_candidates(
    path: Path, bank: Bank, defaults: KitRequest
) -> tuple[list[tuple[int, KitRequest]], list[RowFailure]]:
    """Rows of a candidates CSV as kit requests, and the rows that cannot be one (with their numbers)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise UserError(f"cannot read '{path}': no such file") from None
    except UnicodeDecodeError:
        raise UserError(f"cannot read '{path}': it is not UTF-8 text (save it as 'CSV UTF-8')") from None
    except OSError as err:
        raise UserError(f"cannot read '{path}': {err.strerror or err}") from None
    if not text.strip():
        raise UserError(f"'{path}' is empty; it needs a header row: name,level,round,lang")
    header, rows = csv_rows(text)
    for column in REQUIRED_COLUMNS:
        if column not in header:
            unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
            hint = next((did_you_mean(h, [column]) for h in unknown if did_you_mean(h, [column])), "")
            raise UserError(f"'{path}' has no '{column}' column{hint}; the header row must hold "
                            f"name,level and may hold round,lang")
    requests: list[tuple[int, KitRequest]] = []
    failures: list[RowFailure] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        try:
            request = _row_request(values, bank, defaults)
        except UserError as err:
            failures.append(RowFailure(path, number, str(err)))
            continue
        stem = request.stem()
        if stem in seen:
            failures.append(RowFailure(path, number, f"same name, level and round as row {seen[stem]}; "
                                                     "its files would be overwritten"))
            continue
        seen[stem] = number
        requests.append((number, request))
    if not requests and not failures:
        raise UserError(f"'{path}' holds a header but no candidates")
    return requests, failures


def _row_request(values: dict[str, str], bank: Bank, defaults: KitRequest) -> KitRequest:
    name = clean_name(values.get("name"))
    if not name:
        raise UserError("name is empty")
    level = values.get("level", "").lower()
    if not level:
        raise UserError("level is empty")
    check_level(bank, level)
    round_text = values.get("round") or str(defaults.round)
    if not (round_text.isdecimal() and round_text.isascii()) or int(round_text) < 1:
        raise UserError(f"round must be a whole number from 1, got '{round_text}'")
    lang = (values.get("lang") or defaults.lang).lower()
    if lang not in LANGS:
        raise UserError(f"lang must be vi or en, got '{lang}'{did_you_mean(lang, LANGS)}")
    return replace(defaults, candidate=name, level=level, round=int(round_text), lang=lang)


def make_batch(
    bank: Bank, requests: list[tuple[int, KitRequest]], out_dir: Path, renderer_for: Callable[[str], Renderer],
    csv_path: Path, on_failure: Callable[[RowFailure], None],
) -> tuple[list[Path], list[RowFailure]]:
    """Make every requested kit; a row that fails is reported and the others are still made."""
    written: list[Path] = []
    failures: list[RowFailure] = []
    with progress(len(requests)) as advance:
        for number, request in requests:
            try:
                written.extend(make_kit(bank, request, out_dir, renderer_for(request.lang)))
            except UserError as err:
                failure = RowFailure(csv_path, number, str(err))
                failures.append(failure)
                on_failure(failure)
            advance()
    return written, failures


@contextmanager
def progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty() or os.environ.get("NO_COLOR") or total < 2:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns: Any = (TextColumn("kits"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("kits", total=total)
        yield lambda: bar.advance(task)
