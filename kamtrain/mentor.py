"""A senior's plan for a new hire's first months: a competency a week, a drill, regular checkpoints."""

from __future__ import annotations

from dataclasses import dataclass

from kamtrain.errors import UserError
from kamtrain.model import Bank, Question, Scenario
from kamtrain.select import check_level, interview_settings

# Questions that make a good conversation with a mentee come first; role-play prompts are drilled instead.
_DISCUSS_ORDER = ("situational", "behavioural", "knowledge", "motivation", "roleplay")
_GROUP_ORDER = ("skill", "knowledge", "attitude")


@dataclass(frozen=True)
class Week:
    number: int
    competency: str
    repeat: bool  # the competency had a week already; this one deepens it
    question: Question | None
    scenario: str | None
    checkpoint: tuple[str, ...]  # competencies scored this week, empty when it is not a checkpoint


@dataclass(frozen=True)
class MentorPlan:
    level: str
    weeks: tuple[Week, ...]
    session_minutes: int
    not_in_plan: tuple[str, ...]


def weeks_limits() -> tuple[int, int, int]:
    limits = interview_settings()["mentor"]["weeks"]
    return int(limits["default"]), int(limits["min"]), int(limits["max"])


def plan_mentoring(bank: Bank, level: str, weeks: int | None = None) -> MentorPlan:
    """One session a week: the level's focus competencies first, a scenario to drill, checkpoints."""
    check_level(bank, level)
    default, low, high = weeks_limits()
    weeks = default if weeks is None else weeks
    if not low <= weeks <= high:
        raise UserError(f"weeks must be from {low} to {high} (a new hire's first 1 to 6 months), got {weeks}")
    settings = interview_settings()["mentor"]
    order = _competency_order(bank, level)
    if not order:
        raise UserError(f"the bank has no competencies with a rubric for level '{level}'")
    scenarios = sorted(bank.scenarios_for(level), key=lambda s: s.id)
    drilled: list[str] = []
    discussed: set[str] = set()
    since_checkpoint: list[str] = []
    plan: list[Week] = []
    every = int(settings["checkpoint_every"])
    for number in range(1, weeks + 1):
        competency = order[(number - 1) % len(order)]
        question = _question(bank, level, competency, discussed)
        if question is not None:
            discussed.add(question.id)
        scenario = _scenario(scenarios, competency, drilled)
        if scenario is not None:
            drilled.append(scenario)
        since_checkpoint.append(competency)
        checkpoint: tuple[str, ...] = ()
        if number % every == 0 or number == weeks:
            checkpoint = tuple(dict.fromkeys(since_checkpoint))
            since_checkpoint = []
        plan.append(Week(number, competency, number > len(order), question, scenario, checkpoint))
    reached = {week.competency for week in plan}
    return MentorPlan(level, tuple(plan), int(settings["session_minutes"]),
                      tuple(cid for cid in order if cid not in reached))


def _competency_order(bank: Bank, level: str) -> list[str]:
    of_level = {c.id: c for c in bank.competencies_for(level)}
    focus = [cid for cid in interview_settings()["focus"].get(level, []) if cid in of_level]
    rest = sorted((cid for cid in of_level if cid not in focus),
                  key=lambda cid: (_GROUP_ORDER.index(of_level[cid].group), cid))
    return focus + rest


def _question(bank: Bank, level: str, competency: str, discussed: set[str]) -> Question | None:
    candidates = [q for q in bank.questions_for(level) if q.competency == competency]
    candidates.sort(key=lambda q: (q.id in discussed, _DISCUSS_ORDER.index(q.kind), q.id))
    return candidates[0] if candidates else None


def _scenario(scenarios: list[Scenario], competency: str, drilled: list[str]) -> str | None:
    """A scenario for this competency not drilled yet, else any not drilled yet, else the least recent."""
    if not scenarios:
        return None
    matching = [s.id for s in scenarios if s.competency == competency]
    fresh = [sid for sid in matching if sid not in drilled] or [s.id for s in scenarios if s.id not in drilled]
    if fresh:
        return fresh[0]
    if matching:
        return min(matching, key=lambda sid: max(i for i, d in enumerate(drilled) if d == sid))
    return min((s.id for s in scenarios), key=lambda sid: max(i for i, d in enumerate(drilled) if d == sid))
