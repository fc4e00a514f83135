"""Self-practice with spaced repetition: pick what is due, ask it, rate it, schedule it with FSRS.

Questions are rated by the user after seeing the outline, signals and red flags. Role-play questions
and scenarios are rated by the coach from the user's written reply: grade 1 -> Again, 2 -> Hard,
3 or 4 -> Good, 5 -> Easy. Every review is committed on its own the moment it is made.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kamtrain.errors import UserError
from kamtrain.history import History, SessionRecord, iso, parse_time
from kamtrain.labels import label, labels
from kamtrain.model import Bank, Question, Scenario

RATING_KEYS = {"a": 1, "h": 2, "g": 3, "e": 4, "1": 1, "2": 2, "3": 3, "4": 4,
               "again": 1, "hard": 2, "good": 3, "easy": 4}
GRADE_TO_RATING = {1: 1, 2: 2, 3: 3, 4: 3, 5: 4}


def _fsrs() -> Any:
    try:
        import fsrs
    except ImportError:
        raise UserError("practice needs the 'fsrs' package: pip install 'kamtrain[practice]'") from None
    return fsrs


def require_scheduler() -> None:
    """Fail early, with the install command, when the scheduler is missing."""
    _fsrs()


@functools.cache
def _scheduler() -> Any:
    # No fuzzing: the same answers at the same times give the same schedule, for scripts and tests.
    return _fsrs().Scheduler(enable_fuzzing=False)


@dataclass(frozen=True)
class Item:
    """One thing to practise: a question or a scenario, and when it is due (None: never reviewed)."""

    kind: str
    entry: Question | Scenario
    due: str | None = None

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def competency(self) -> str:
        return self.entry.competency

    @property
    def coached(self) -> bool:
        """Rated by the coach from the reply, not by the user."""
        return self.kind == "scenario" or getattr(self.entry, "kind", None) == "roleplay"


def candidates(bank: Bank, level: str | None, competency: str | None) -> list[Item]:
    """Every question and scenario for the level and competency, in the bank's order."""
    if competency is not None and competency not in bank.competencies:
        from kamtrain.errors import did_you_mean

        hint = did_you_mean(competency, bank.competencies)
        raise UserError(f"unknown competency '{competency}'{hint}; choose from {', '.join(bank.competencies)}")
    items = [Item("question", q) for q in bank.questions.values()]
    items += [Item("scenario", s) for s in bank.scenarios.values()]
    return [i for i in items
            if (level is None or level in i.entry.levels) and (competency is None or i.competency == competency)]


def pick(history: History, user: str, pool: list[Item], now: datetime, count: int) -> list[Item]:
    """Due items first (the longest overdue first), then new ones, weakest competency first."""
    cards = history.cards(user)
    stamp = iso(now)
    due = sorted((Item(i.kind, i.entry, cards[(i.kind, i.id)]) for i in pool
                  if (i.kind, i.id) in cards and cards[(i.kind, i.id)] <= stamp),
                 key=lambda i: (i.due or "", i.kind, i.id))
    new = order_new([i for i in pool if (i.kind, i.id) not in cards], competency_strength(history, user))
    return (due + new)[:count]


def next_due(history: History, user: str, pool: list[Item]) -> datetime | None:
    wanted = {(i.kind, i.id) for i in pool}
    times = [due for key, due in history.cards(user).items() if key in wanted]
    return parse_time(min(times)) if times else None


def competency_strength(history: History, user: str) -> dict[str, float]:
    """Mean of each item's latest rating (1-4), by competency."""
    uid = history.find_user(user)
    if uid is None:
        return {}
    return {competency: mean for competency, (_, mean) in history.latest_by_competency(uid).items()}


def order_new(items: list[Item], strength: dict[str, float]) -> list[Item]:
    """Round-robin over competencies, the never-practised and then the weakest first."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.competency, []).append(item)
    order = sorted(groups, key=lambda c: (strength.get(c, 0.0), c))
    out: list[Item] = []
    for round_ in range(max((len(g) for g in groups.values()), default=0)):
        out += [groups[c][round_] for c in order if round_ < len(groups[c])]
    return out


def card_id(kind: str, item: str) -> int:
    return zlib.crc32(f"{kind}:{item}".encode())


def rescheduler(kind: str, item: str, rating: int, now: datetime) -> Callable[[str | None], tuple[str, str]]:
    """The FSRS step for one review, applied to the card as it is in the file when the review is saved."""
    fsrs = _fsrs()

    def apply(current: str | None) -> tuple[str, str]:
        card = None
        if current:
            try:
                card = fsrs.Card.from_json(current)
            except (ValueError, KeyError, TypeError):
                card = None  # an unreadable card starts again rather than stopping the practice
        if card is None:
            card = fsrs.Card(card_id=card_id(kind, item), due=now)
        card, _log = _scheduler().review_card(card, fsrs.Rating(rating), review_datetime=now)
        return str(card.to_json()), iso(card.due)

    return apply


def rebuilder(kind: str) -> Callable[[str, list[tuple[int, str]]], tuple[str, str]]:
    """FSRS replayed over an item's reviews, (rating, time) oldest first: its card as if rated so all along."""
    fsrs = _fsrs()

    def apply(item: str, reviews: list[tuple[int, str]]) -> tuple[str, str]:
        card = fsrs.Card(card_id=card_id(kind, item), due=parse_time(reviews[0][1]))
        for rating, at in reviews:
            card, _log = _scheduler().review_card(card, fsrs.Rating(rating), review_datetime=parse_time(at))
        return str(card.to_json()), iso(card.due)

    return apply


def record_roleplay(history: History, user: str, session: Any, transcript: Path | None, now: datetime) -> None:
    """Keep a finished `roleplay run` in the history; with turns, it also counts as a review of the scenario."""
    scenario = session.scenario
    record = SessionRecord(
        scenario=scenario.id, competency=scenario.competency, lang=session.lang,
        outcome=session.outcome or "quit", grade=session.grade, turns=len(session.turns),
        moves=json.dumps(session.moves_made), transcript=str(transcript.resolve()) if transcript else None,
    )
    if not session.turns:
        history.record_session(user, record, now)
        return
    rating = GRADE_TO_RATING[session.grade]
    try:
        reschedule = rescheduler("scenario", scenario.id, rating, now)
    except UserError:
        reschedule = None  # without fsrs the session is still kept; only its scheduling is skipped
    history.record_review(
        user, kind="scenario", item=scenario.id, competency=scenario.competency, lang=session.lang,
        rating=rating, grade=session.grade, answer="\n".join(t.reply for t in session.turns),
        at=now, reschedule=reschedule, source="roleplay", session=record,
    )


def regrade_roleplay(history: History, transcript: Path, *, mentor: str, grade: int, reason: str,
                     now: datetime) -> str | None:
    """Let a mentor's grade count for the session saved with `transcript`; return its user, or None if absent."""
    found = history.session_for_transcript(transcript)
    if found is None:
        return None
    session_id, user = found
    try:
        reschedule = rebuilder("scenario")
    except UserError:
        reschedule = None  # without fsrs the grade still counts in progress; only scheduling is skipped
    history.regrade_session(session_id, mentor=mentor, grade=grade, rating=GRADE_TO_RATING[grade], reason=reason,
                            at=now, reschedule=reschedule)
    return user


# -- the loop --------------------------------------------------------------------------------

class _EndOfInput(Exception):
    pass


@dataclass
class Practice:
    """One practice run: shows items, reads answers and ratings, saves each review."""

    history: History
    user: str
    lang: str
    level: str | None
    printer: Any
    read_line: Callable[[], str | None]
    clock: Callable[[], datetime]
    saved: int = 0

    def run(self, items: list[Item]) -> int:
        """Go through the items; return 0 when done or at EOF, 130 on Ctrl-C."""
        code = 0
        due = sum(1 for item in items if item.due)
        self.printer.line(self._t("start", user=self.user, due=due, new=len(items) - due, db=self.history.path),
                          style="dim")
        try:
            for number, item in enumerate(items, 1):
                self.one(item, number, len(items))
        except _EndOfInput:
            self.printer.line()
            self.printer.line(self._t("stopped", n=self.saved, db=self.history.path), style="yellow")
            return 0
        except KeyboardInterrupt:
            code = 130
            self.printer.line()
            self.printer.line(self._t("stopped", n=self.saved, db=self.history.path), style="yellow")
            return code
        self.printer.line()
        self.printer.line(self._t("done", n=self.saved, db=self.history.path), style="bold")
        return code

    def one(self, item: Item, number: int, total: int) -> None:
        lang = self.lang
        tags = [item.id, item.competency]
        if item.coached:
            tags.append(self._t("roleplay"))
        tags.append(self._t("due") if item.due else self._t("new"))
        self.printer.line()
        self.printer.rule(f"{self._t('item', n=number, total=total)} · {' · '.join(tags)}")
        entry = item.entry
        if isinstance(entry, Scenario):
            self.printer.line(entry.title[lang], style="bold")
            self.printer.line(f"{self._t('situation')}: {entry.situation[lang]}", style="italic")
            persona = entry.persona
            self.printer.line(f"{persona.name[lang]} ({persona.role[lang]}, {persona.company}): {entry.opening[lang]}",
                              style="bold cyan")
        else:
            self.printer.line(entry.text[lang], style="bold")
        self.printer.line(self._t("reply_help" if item.coached else "answer_help"), style="dim")
        answer = self._read().strip()
        if isinstance(entry, Question):
            self._reveal(entry)
        if item.coached:
            grade = self._coach(item, answer)
            rating = GRADE_TO_RATING[grade]
        else:
            grade = None
            rating = self._ask_rating()
        now = self.clock()
        due = self.history.record_review(
            self.user, kind=item.kind, item=item.id, competency=item.competency, lang=lang, rating=rating,
            grade=grade, answer=answer, level=self.level, at=now,
            reschedule=rescheduler(item.kind, item.id, rating, now),
        )
        self.saved += 1
        names = labels("practice", "ratings", lang)
        self.printer.line(self._t("saved", rating=names[rating], when=self.when(parse_time(due or iso(now)), now)),
                          style="green")

    def _reveal(self, question: Question) -> None:
        for key, texts in (("outline", question.outline), ("signals", question.signals),
                           ("red_flags", question.red_flags)):
            self.printer.line(f"{self._t(key)}:", style="bold")
            for text in texts:
                self.printer.line(f"  - {text[self.lang]}", style="red" if key == "red_flags" else None)

    def _coach(self, item: Item, answer: str) -> int:
        from kamtrain.roleplay.coach import Coach, feedback

        scenario = item.entry if isinstance(item.entry, Scenario) else None
        if not answer:
            self.printer.line(self._t("no_reply"), style="yellow")
            grade = 1
        else:
            verdict = Coach(scenario).judge(answer)
            grade = verdict.grade
            names = labels("practice", "ratings", self.lang)
            self.printer.line(self._t("coach_grade", grade=grade, rating=names[GRADE_TO_RATING[grade]]),
                              style="bold")
            if not verdict.evidence:
                self.printer.line(f"  {self._t('no_moves')}", style="dim")
            for move, found in verdict.evidence.items():
                quotes = " | ".join(f"\"{e.text}\"" for e in found[:2])
                self.printer.line(f"  {move}: {quotes}", style="red" if move in verdict.bad else "green")
            tips = feedback(verdict, self.lang)["advice"]
            if tips:
                self.printer.line(f"{self._t('next_time')}:", style="bold")
                for tip in tips:
                    self.printer.line(f"  - {tip}")
        if scenario is not None:
            self.printer.line(f"{self._t('model_reply')}:", style="bold")
            self.printer.line(f"  {scenario.model_reply[self.lang]}", style="green")
            self.printer.line(f"{self._t('debrief')}:", style="bold")
            for point in scenario.debrief:
                self.printer.line(f"  - {point[self.lang]}")
        return grade

    def _ask_rating(self) -> int:
        self.printer.line(self._t("rate_help"), style="bold")
        while True:
            text = self._read().strip().lower()
            rating = RATING_KEYS.get(text)
            if rating is not None:
                return rating
            self.printer.line(self._t("rate_invalid", text=text), style="yellow")

    def _read(self) -> str:
        line = self.read_line()
        if line is None:
            raise _EndOfInput()
        return line

    def _t(self, key: str, **values: Any) -> str:
        return label("practice", key, self.lang, **values)

    def when(self, due: datetime, now: datetime) -> str:
        """'in 10 min', 'in 3 h', 'in 4 day(s) (2026-01-09)'."""
        delta = max(due - now, timedelta(0))
        if delta < timedelta(hours=1):
            return self._t("in_minutes", n=max(1, round(delta.total_seconds() / 60)))
        if delta < timedelta(days=1):
            return self._t("in_hours", n=round(delta.total_seconds() / 3600))
        return self._t("in_days", n=round(delta.total_seconds() / 86400), date=due.date().isoformat())
