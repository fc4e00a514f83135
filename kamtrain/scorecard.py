"""Filled scorecards from a panel of interviewers, read and merged into one view of a candidate.

A card is the YAML a kit writes (`scorecard-*.yaml`), filled in; a CSV with the columns
interviewer,competency,score,notes (and optionally candidate,level) holds any number of cards, one
per interviewer, with the overall recommendation on a row whose competency is `recommendation`.
Every problem is reported with its file and line, all of them at once.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamtrain.errors import ContentInvalid, Problem, UserError, did_you_mean
from kamtrain.model import Bank
from kamtrain.tables import csv_rows

FORMAT = "kamtrain-scorecard/1"
# Four choices and no neutral one: an interviewer commits, and a panel of "no decision" decides nothing.
VERDICTS = ("strong_no", "no", "yes", "strong_yes")
YES_SIDE = ("yes", "strong_yes")
BAR = 3  # a 3 is what the level's anchors describe as meeting the bar
CALIBRATE_AT = 2  # interviewers this far apart on one competency should talk before deciding
CARD_KEYS = ("format", "candidate", "level", "round", "seed", "lang", "interviewer", "date", "questions",
             "scores", "recommendation", "notes")
CSV_COLUMNS = ("interviewer", "competency", "score", "notes")


@dataclass
class Card:
    """One interviewer's scorecard."""

    path: Path
    interviewer: str
    candidate: str | None = None
    level: str | None = None
    scores: dict[str, int | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    recommendation: str | None = None
    overall_notes: str = ""
    line: dict[str, int] = field(default_factory=dict)  # where candidate and level are, for messages


@dataclass(frozen=True)
class Row:
    """One competency across the panel."""

    competency: str
    scores: dict[str, int | None]
    notes: dict[str, str]

    @property
    def given(self) -> list[int]:
        return [s for s in self.scores.values() if s is not None]

    @property
    def mean(self) -> float | None:
        return statistics.mean(self.given) if self.given else None

    @property
    def spread(self) -> int | None:
        return max(self.given) - min(self.given) if self.given else None

    @property
    def calibrate(self) -> bool:
        return len(self.given) >= 2 and (self.spread or 0) >= CALIBRATE_AT


@dataclass(frozen=True)
class Panel:
    candidate: str | None
    level: str
    interviewers: list[str]
    rows: list[Row]
    verdicts: dict[str, str]
    overall_notes: dict[str, str] = field(default_factory=dict)
    bar: int = BAR

    @property
    def outcome(self) -> str:
        """'yes' or 'no' when every interviewer leans the same way, else 'mixed'."""
        sides = {verdict in YES_SIDE for verdict in self.verdicts.values()}
        if sides == {True}:
            return "yes"
        if sides == {False}:
            return "no"
        return "mixed"


def read_cards(paths: list[Path], bank: Bank) -> list[Card]:
    """Every card in `paths` (YAML or CSV); raise ContentInvalid listing every problem found."""
    cards: list[Card] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:
            raise UserError(f"'{path}' is given twice; each interviewer's card counts once")
        seen.add(path.resolve())
        if not path.is_file():
            raise UserError(f"cannot read '{path}': no such file")
        if path.suffix.lower() == ".csv":
            cards.extend(_read_csv(path, bank, problems))
        else:
            card = _read_yaml_card(path, bank, problems)
            if card is not None:
                cards.append(card)
    if problems:
        raise ContentInvalid(problems)
    return cards


def merge(cards: list[Card], bank: Bank, level: str | None = None, candidate: str | None = None) -> Panel:
    """The panel view: every rating by competency, with mean, spread and the calibration flag."""
    problems: list[Problem] = []
    first_level = next((c for c in cards if c.level), None)
    level = level or (first_level.level if first_level else None)
    if level is None:
        raise UserError("no card names the level; add --level (ae, am, kam or sam)")
    if level not in bank.levels:
        raise UserError(f"unknown level '{level}'{did_you_mean(level, bank.levels)}; choose from "
                        f"{', '.join(bank.levels)}")
    named = next((c for c in cards if c.candidate), None)
    candidate = candidate or (named.candidate if named else None)
    for card in cards:
        if card.level and card.level != level:
            source = f"in {first_level.path.name}" if first_level and first_level is not card else "given"
            problems.append(Problem(card.path, card.line.get("level"),
                                    f"level '{card.level}' differs from '{level}' {source}; merge the cards of "
                                    "one candidate for one level"))
        if card.candidate and candidate and not _same_name(card.candidate, candidate):
            problems.append(Problem(card.path, card.line.get("candidate"),
                                    f"candidate '{card.candidate}' differs from '{candidate}'; merge one "
                                    "candidate's cards at a time"))
    if problems:
        raise ContentInvalid(problems)
    names = _unique_names([c.interviewer for c in cards])
    order: list[str] = []
    for card in cards:
        order.extend(cid for cid in card.scores if cid not in order)
    panel = list(zip(names, cards, strict=True))
    rows = [Row(cid, {name: card.scores.get(cid) for name, card in panel if cid in card.scores},
                {name: card.notes[cid] for name, card in panel if card.notes.get(cid)})
            for cid in order]
    if not any(row.given for row in rows):
        raise UserError("the cards hold no scores yet; fill in at least one score from 1 to 5")
    verdicts = {name: card.recommendation for name, card in panel if card.recommendation}
    overall_notes = {name: card.overall_notes for name, card in panel if card.overall_notes}
    return Panel(candidate, level, names, rows, verdicts, overall_notes)


# Why an earlier round's competency needs the next interviewer, most pressing first.
FOLLOW_UP_REASONS = ("split", "below_bar", "no_evidence")


def follow_ups(panel: Panel, competencies: Iterable[str]) -> dict[str, str]:
    """{competency: reason} for the next round: where the earlier interviewers differ by 2 or more,
    where they scored it under the bar, and the level's `competencies` nobody rated."""
    reasons: dict[str, str] = {}
    for row in panel.rows:
        if row.calibrate:
            reasons[row.competency] = "split"
        elif row.mean is not None and row.mean < panel.bar:
            reasons[row.competency] = "below_bar"
    rated = {row.competency for row in panel.rows if row.given}
    asked = [row.competency for row in panel.rows]  # a question was asked and gave no evidence: these first
    for cid in (*asked, *competencies):
        if cid not in rated:
            reasons.setdefault(cid, "no_evidence")
    return {cid: reason for order in FOLLOW_UP_REASONS for cid, reason in reasons.items() if reason == order}


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _read_yaml_card(path: Path, bank: Bank, problems: list[Problem]) -> Card | None:
    from kamtrain.yamlfile import ProblemError, read_yaml

    try:
        doc = read_yaml(path)
    except ProblemError as err:
        problems.append(err.problem)
        return None
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "expected a scorecard: a mapping with level, scores and recommendation"))
        return None
    before = len(problems)

    def problem(loc: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(path, doc.line_of(loc), message))

    for key in data:
        if key not in CARD_KEYS:
            problem((key,), f"unknown field '{key}'{did_you_mean(str(key), CARD_KEYS)}")
    if data.get("format", FORMAT) != FORMAT:
        problem(("format",), f"format '{data.get('format')}' is not '{FORMAT}'")
    card = Card(path, _text(data.get("interviewer")) or path.stem, candidate=_text(data.get("candidate")) or None,
                line={"candidate": doc.line_of(("candidate",)), "level": doc.line_of(("level",))})
    level = data.get("level")
    if not isinstance(level, str) or level not in bank.levels:
        hint = did_you_mean(str(level), bank.levels) if level else ""
        problem(("level",), f"level '{level or ''}' is not known{hint}; expected one of {', '.join(bank.levels)}")
    else:
        card.level = level
    scores = data.get("scores")
    if not isinstance(scores, dict) or not scores:
        problem(("scores",), "expected 'scores:' with one entry per competency")
        scores = {}
    for cid, entry in scores.items():
        value, note = (entry.get("score"), entry.get("notes")) if isinstance(entry, dict) else (entry, None)
        where = ("scores", cid, "score") if isinstance(entry, dict) else ("scores", cid)
        if isinstance(entry, dict):
            for key in entry:
                if key not in ("score", "notes"):
                    problem(("scores", cid, key), f"unknown field '{key}'{did_you_mean(str(key), ('score', 'notes'))}"
                                                  "; a competency holds score and notes")
        message = _competency_problem(str(cid), bank) or _score_problem(value)
        if message:
            problem(where, f"{cid}: {message}")
            continue
        card.scores[str(cid)] = value
        if _text(note):
            card.notes[str(cid)] = _text(note)
    verdict, message = _verdict(data.get("recommendation"))
    if message:
        problem(("recommendation",), message)
    card.recommendation = verdict
    card.overall_notes = _text(data.get("notes"))
    return card if len(problems) == before else None


def _read_csv(path: Path, bank: Bank, problems: list[Problem]) -> list[Card]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(path, None, "not UTF-8 text; save it as 'CSV UTF-8'"))
        return []
    except OSError as err:
        raise UserError(f"cannot read '{path}': {err.strerror or err}") from None
    header, rows = csv_rows(text)
    missing = [c for c in ("interviewer", "competency", "score") if c not in header]
    if missing:
        problems.append(Problem(path, 1, f"missing column(s) {', '.join(missing)}; the header must be "
                                         f"{','.join(CSV_COLUMNS)} (candidate and level may be added)"))
        return []
    cards: dict[str, Card] = {}
    for line, values in rows:
        name = values.get("interviewer", "")
        if not name:
            problems.append(Problem(path, line, "interviewer is empty"))
            continue
        card = cards.setdefault(name, Card(path, name, line={"candidate": line, "level": line}))
        if values.get("candidate") and not card.candidate:
            card.candidate = values["candidate"]
        level = values.get("level", "").lower()
        if level:
            if level not in bank.levels:
                problems.append(Problem(path, line, f"level '{level}' is not known{did_you_mean(level, bank.levels)}"))
            elif not card.level:
                card.level, card.line["level"] = level, line
        cid = values.get("competency", "")
        if cid == "recommendation":
            verdict, message = _verdict(values.get("score") or None)
            if message:
                problems.append(Problem(path, line, message))
            card.recommendation = verdict
            card.overall_notes = values.get("notes", "")
            continue
        raw = values.get("score", "")
        score: Any = int(raw) if raw.isdecimal() and raw.isascii() else (raw or None)
        message = _competency_problem(cid, bank) or _score_problem(score)
        if message:
            problems.append(Problem(path, line, f"{cid or 'competency'}: {message}"))
            continue
        card.scores[cid] = score
        if values.get("notes"):
            card.notes[cid] = values["notes"]
    for card in cards.values():
        if card.recommendation is None:
            problems.append(Problem(path, None, f"interviewer '{card.interviewer}' has no 'recommendation' row; "
                                                f"add one with score {', '.join(VERDICTS)}"))
    return list(cards.values())


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _competency_problem(cid: str, bank: Bank) -> str | None:
    if not cid:
        return "competency is empty"
    if cid not in bank.competencies:
        return f"competency '{cid}' is not defined{did_you_mean(cid, bank.competencies)}"
    return None


def _score_problem(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return f"score must be a whole number from 1 to 5, or empty when there is no evidence; got {value!r}"
    return None


def _verdict(value: Any) -> tuple[str | None, str | None]:
    """The recommendation as one of VERDICTS, or a message; YAML reads a bare yes/no as true/false."""
    if value is True:
        return "yes", None
    if value is False:
        return "no", None
    if value is None or value == "":
        return None, (f"recommendation is empty; choose {', '.join(VERDICTS)} (there is no neutral choice: "
                      "say what evidence is missing in the notes)")
    word = "_".join(str(value).strip().lower().replace("-", " ").split())
    if word in VERDICTS:
        return word, None
    return None, f"recommendation '{value}' is not one of {', '.join(VERDICTS)}{did_you_mean(word, VERDICTS)}"
