"""Choosing the questions of an interview: a level, a time budget, a seed, the questions already asked.

The same inputs always give the same questions (`random.Random(seed)` over questions sorted by id),
so a recruiter can reprint a kit and a second round can be worked out from the first.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kamtrain.errors import UserError, did_you_mean
from kamtrain.model import Bank, Question
from kamtrain.resources import package_yaml

DEFAULT_SEED = 1


@lru_cache(maxsize=1)
def interview_settings() -> dict[str, Any]:
    """The agenda, focus competencies and question flow from kamtrain/interview.yaml."""
    loaded: dict[str, Any] = package_yaml("interview.yaml")
    return loaded


def opening_minutes() -> int:
    return int(interview_settings()["agenda"]["opening"])


def closing_minutes() -> int:
    return int(interview_settings()["agenda"]["closing"])


@dataclass(frozen=True)
class Selection:
    """The questions of one interview, in the order they are asked."""

    level: str
    budget: int
    seed: int
    round: int
    questions: tuple[Question, ...]
    # The level's competencies that no question of this kit covers (time ran out, or none left).
    uncovered: tuple[str, ...] = field(default=())

    @property
    def question_minutes(self) -> int:
        return sum(q.minutes for q in self.questions)

    @property
    def total_minutes(self) -> int:
        return opening_minutes() + self.question_minutes + closing_minutes()

    @property
    def competencies(self) -> list[str]:
        """Competency ids of the questions, in the order they first come up."""
        return list(dict.fromkeys(q.competency for q in self.questions))

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


def check_level(bank: Bank, level: str) -> None:
    """Raise UserError for a level the bank does not define."""
    if level not in bank.levels:
        known = ", ".join(bank.levels) or "none"
        raise UserError(f"unknown level '{level}'{did_you_mean(level, bank.levels)}; choose from {known}")


def select_round(
    bank: Bank, level: str, minutes: int, seed: int = DEFAULT_SEED, round_: int = 1,
    exclude: Iterable[str] | None = None, first: Sequence[str] = (),
) -> Selection:
    """The kit of round `round_`, never repeating a question of an earlier round.

    With `exclude` (the ids listed in the earlier round's scorecard) exactly those are left out;
    without it, the earlier rounds are worked out from the same level, minutes and seed. The
    competencies in `first` (what the earlier round left open) are covered before any other.
    """
    if round_ < 1:
        raise UserError(f"round must be 1 or more, got {round_}")
    if exclude is not None:
        return select_questions(bank, level, minutes, seed, set(exclude), round_, first)
    asked: set[str] = set()
    for earlier in range(1, round_):
        asked.update(select_questions(bank, level, minutes, seed, asked, earlier).ids)
    return select_questions(bank, level, minutes, seed, asked, round_)


def select_questions(
    bank: Bank, level: str, minutes: int, seed: int = DEFAULT_SEED, excluded: set[str] | None = None,
    round_: int = 1, first: Sequence[str] = (),
) -> Selection:
    """Questions for `level` whose minutes, with the agenda's opening and closing, fit in `minutes`.

    One question per competency first (those in `first`, the level's focus competencies, then the
    others in seeded order), a role-play first of all when one fits, kinds mixed; then more questions
    while time is left.
    """
    check_level(bank, level)
    excluded = excluded or set()
    level_questions = bank.questions_for(level)
    pool = sorted((q for q in level_questions if q.id not in excluded), key=lambda q: q.id)
    if not level_questions:
        raise UserError(f"the bank has no questions for level '{level}'")
    if not pool:
        raise UserError(f"no {level} questions are left after leaving out the {len(excluded)} asked in "
                        f"earlier rounds")
    agenda = opening_minutes() + closing_minutes()
    shortest = min(q.minutes for q in pool)
    if minutes < agenda + shortest:
        raise UserError(f"{minutes} minutes is too short: the opening and closing take {agenda} and the "
                        f"shortest {level} question takes {shortest}; allow at least {agenda + shortest}")
    rng = random.Random(seed)
    order = _competency_order(bank, level, rng, first)
    by_competency: dict[str, list[Question]] = {cid: [] for cid in order}
    for question in pool:
        by_competency.setdefault(question.competency, []).append(question)
    picker = _Picker(minutes - agenda, rng)

    # The role-play goes first so that it fits; on a focus competency, so it crowds none of them out.
    roleplays = [q for q in pool if q.kind == "roleplay"]
    focus = set(_focus(level, order))
    picker.take_one_of([q for q in roleplays if q.competency in focus]) or picker.take_one_of(roleplays)
    for cid in order:
        if cid not in picker.covered:
            picker.take_one_of(by_competency[cid])
    while [picker.take_one_of(by_competency[cid]) for cid in order].count(True):
        pass  # one more per competency, round after round, until nothing fits

    flow = {kind: index for index, kind in enumerate(interview_settings()["flow"])}
    chosen = sorted(picker.chosen, key=lambda q: flow.get(q.kind, len(flow)))  # stable: pick order within a kind
    uncovered = tuple(cid for cid in order if cid not in picker.covered)
    return Selection(level, minutes, seed, round_, tuple(chosen), uncovered)


def _competency_order(bank: Bank, level: str, rng: random.Random, first: Sequence[str] = ()) -> list[str]:
    """The level's competencies: `first`, then its focus list, then the others shuffled by the seed."""
    of_level = [c.id for c in bank.competencies_for(level)]
    leading = list(dict.fromkeys(cid for cid in (*first, *_focus(level, of_level)) if cid in of_level))
    rest = sorted(cid for cid in of_level if cid not in leading)
    rng.shuffle(rest)
    return leading + rest


def _focus(level: str, of_level: list[str]) -> list[str]:
    """The level's focus competencies (interview.yaml) that the bank defines for it, in order."""
    return [cid for cid in interview_settings()["focus"].get(level, []) if cid in of_level]


class _Picker:
    """Takes questions while time is left, preferring a kind the kit has least of."""

    def __init__(self, minutes: int, rng: random.Random):
        self.left = minutes
        self.rng = rng
        self.caps: dict[str, int] = interview_settings().get("soft_cap", {})
        self.chosen: list[Question] = []
        self.covered: set[str] = set()
        self.kinds: Counter[str] = Counter()

    def take_one_of(self, questions: list[Question]) -> bool:
        taken = {q.id for q in self.chosen}
        fits = [q for q in questions if q.minutes <= self.left and q.id not in taken]
        if not fits:
            return False
        best = min(self._preference(q) for q in fits)
        question = self.rng.choice([q for q in fits if self._preference(q) == best])
        self.chosen.append(question)
        self.covered.add(question.competency)
        self.kinds[question.kind] += 1
        self.left -= question.minutes
        return True

    def _preference(self, question: Question) -> tuple[bool, int]:
        """Lower is better: under its kind's soft cap first, then the kind the kit has least of."""
        used = self.kinds[question.kind]
        return used >= self.caps.get(question.kind, len(self.chosen) + 1), used


def select_practice(
    bank: Bank, level: str, minutes: int, seed: int = DEFAULT_SEED, round_: int = 1,
    exclude: Iterable[str] | None = None, first: Sequence[str] = (),
) -> Selection:
    """Practice questions that leave out those of the interview kit made with the same settings.

    A candidate handed a practice sheet (with its strong-answer outlines) must not be holding the
    questions of the interview they are about to sit.
    """
    exclude = None if exclude is None else set(exclude)
    asked = set(exclude or ())
    for interview_round in range(1, round_ + 1):
        asked.update(select_round(bank, level, minutes, seed, interview_round, exclude, first).ids)
    return select_questions(bank, level, minutes, seed, asked, round_)
