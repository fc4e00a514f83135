"""The content model: what a level, competency, question and scenario are.

The classes are plain frozen dataclasses, so a bank read back from the cache needs nothing heavier
than this module. Their constraints live in the annotations, where pydantic (imported only when YAML
is validated or a JSON Schema is written, see `kamtrain.validation` and `kamtrain.schemas`) reads them.

Every user-facing string is a `Text` with both `vi` and `en`. Cross-references (a question's
competency, a scenario's levels) are checked in `kamtrain.validation`, after all layers are merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

LevelId = Literal["ae", "am", "kam", "sam"]
LEVEL_IDS: tuple[LevelId, ...] = ("ae", "am", "kam", "sam")

Group = Literal["knowledge", "skill", "attitude"]
Kind = Literal["behavioural", "situational", "knowledge", "motivation", "roleplay"]
KINDS: tuple[Kind, ...] = ("behavioural", "situational", "knowledge", "motivation", "roleplay")

ScenarioId = Literal[
    "too-expensive",
    "no-need",
    "call-me-later",
    "missed-deadline",
    "scope-creep",
    "unhappy-client",
    "tight-budget",
    "client-squeeze",
    "pitch-pushback",
    "kol-cancel",
    "overdue-invoice",
    "upsell",
    "creative-conflict",
    "brief-taking",
]
SCENARIO_IDS: tuple[str, ...] = ScenarioId.__args__  # type: ignore[attr-defined]

Move = Literal[
    "acknowledge", "probe", "value", "options", "next_step", "ownership",
    "discount", "argue", "blame", "overpromise",
]
GOOD_MOVES: tuple[Move, ...] = ("acknowledge", "probe", "value", "options", "next_step", "ownership")
BAD_MOVES: tuple[Move, ...] = ("discount", "argue", "blame", "overpromise")
MOVES: tuple[Move, ...] = GOOD_MOVES + BAD_MOVES

SEED_FILES: tuple[str, ...] = (
    "000_76468081472065d1.txt",
    "001_399e2e1e207ba576.txt",
    "002_f25522ab5d48575f.txt",
    "003_76e47d63938deb36.txt",
    "004_1ceaf325d0dcd869.txt",
)
Source = Literal[
    "000_76468081472065d1.txt",
    "001_399e2e1e207ba576.txt",
    "002_f25522ab5d48575f.txt",
    "003_76e47d63938deb36.txt",
    "004_1ceaf325d0dcd869.txt",
    "original",
]

class Constrained:
    """Limits on a value (`min_length`, `pattern`, `gt`, ...), as pydantic-core's schema keys name them."""

    def __init__(self, **limits: Any):
        self.limits = limits

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        schema = handler(source)
        schema.update(self.limits)
        return schema


class Check:
    """A rule a value must pass after its type is validated; the rule raises ValueError to refuse it."""

    def __init__(self, rule: Callable[[Any], Any]):
        self.rule = rule

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.rule, handler(source))


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Slug = Annotated[str, Constrained(pattern=_SLUG.pattern, max_length=80)]
NonEmpty = Annotated[str, Constrained(min_length=1)]
Score = Literal[1, 2, 3, 4, 5]


class _Strict:
    """Content read from YAML: an unknown field is an error and text is stripped of outer whitespace."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "str_strip_whitespace": True}


@dataclass(frozen=True, kw_only=True)
class Text(_Strict):
    """One user-facing string in Vietnamese (first) and English."""

    vi: NonEmpty
    en: NonEmpty

    def __getitem__(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


Texts = Annotated[list[Text], Constrained(min_length=1)]


@dataclass(frozen=True, kw_only=True)
class LevelProfile(_Strict):
    id: LevelId
    name: Text
    scope: Text
    duties: Annotated[list[Text], Constrained(min_length=3)]
    kpis: Annotated[list[Text], Constrained(min_length=2)]
    portfolio: Text
    differs_from_below: Text
    versus_sales: Text
    source: Source


def _five_anchors_per_level(rubric: dict[str, dict[int, Text]]) -> dict[str, dict[int, Text]]:
    for level, anchors in rubric.items():
        missing = sorted({1, 2, 3, 4, 5} - set(anchors))
        if missing:
            raise ValueError(f"level '{level}' lacks anchors for scores {missing}: each level needs 1..5")
    return rubric


@dataclass(frozen=True, kw_only=True)
class Competency(_Strict):
    id: Slug
    group: Group
    name: Text
    description: Text
    rubric: Annotated[dict[LevelId, dict[Score, Text]], Constrained(min_length=1), Check(_five_anchors_per_level)]

    @property
    def levels(self) -> list[LevelId]:
        return [level for level in LEVEL_IDS if level in self.rubric]


@dataclass(frozen=True, kw_only=True)
class Question(_Strict):
    id: Slug
    levels: Annotated[list[LevelId], Constrained(min_length=1)]
    competency: Slug
    kind: Kind
    text: Text
    reveals: Text
    probes: Annotated[list[Text], Constrained(min_length=2)]
    signals: Texts
    red_flags: Texts
    outline: Texts
    minutes: Annotated[int, Constrained(gt=0, le=60)]
    source: Source
    tags: list[Slug] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class HiddenFact(_Strict):
    """Something the client knows and says only when the trainee asks."""

    id: Slug
    fact: Text
    reveal: Text
    asked_by: list[str] = field(default_factory=list)


def _fact_ids_unique(facts: list[HiddenFact]) -> list[HiddenFact]:
    seen: set[str] = set()
    for fact in facts:
        if fact.id in seen:
            raise ValueError(f"hidden fact id '{fact.id}' appears twice")
        seen.add(fact.id)
    return facts


@dataclass(frozen=True, kw_only=True)
class Persona(_Strict):
    name: Text  # as the client is addressed: "Chị Thảo" in Vietnamese, "Thao" in English
    role: Text
    company: NonEmpty
    industry: Text
    mood: Text
    start_mood: Annotated[int, Constrained(ge=-2, le=2)]
    hidden_facts: Annotated[list[HiddenFact], Constrained(min_length=2), Check(_fact_ids_unique)]


@dataclass(frozen=True, kw_only=True)
class Reactions(_Strict):
    """What the client says after a turn, by what the trainee's reply did."""

    harden: Texts
    push_more: Texts
    doubt: Texts
    soften: Texts
    consider: Texts
    stall: Texts


@dataclass(frozen=True, kw_only=True)
class Ending(_Strict):
    max_turns: Annotated[int, Constrained(ge=2, le=20)] = 6
    patience: Annotated[int, Constrained(ge=1, le=10)] = 3
    won: Text
    lost: Text
    timeout: Text


@dataclass(frozen=True, kw_only=True)
class Scenario(_Strict):
    id: ScenarioId
    title: Text
    levels: Annotated[list[LevelId], Constrained(min_length=1)]
    competency: Slug
    situation: Text
    persona: Persona
    opening: Text
    reactions: Reactions
    ending: Ending
    debrief: Texts
    model_reply: Text
    cues: dict[Move, list[str]] = field(default_factory=dict)
    source: Source


@dataclass(frozen=True, kw_only=True)
class QuestionFile(_Strict):
    """A file in question_bank/."""

    questions: Annotated[list[Question], Constrained(min_length=1)]


@dataclass(frozen=True, kw_only=True)
class RubricFile(_Strict):
    """A file in rubrics/: level profiles, competencies with their rubrics, or both."""

    levels: list[LevelProfile] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)


FILE_KINDS: dict[str, type] = {
    "question_bank": QuestionFile,
    "rubrics": RubricFile,
    "scenarios": Scenario,
}


@dataclass(frozen=True)
class Bank:
    """The merged, validated content: what every command reads."""

    levels: dict[str, LevelProfile]
    competencies: dict[str, Competency]
    questions: dict[str, Question]
    scenarios: dict[str, Scenario]

    def competencies_for(self, level: str) -> list[Competency]:
        """The competencies with a rubric for `level`."""
        return [c for c in self.competencies.values() if level in c.rubric]

    def questions_for(self, level: str) -> list[Question]:
        return [q for q in self.questions.values() if level in q.levels]

    def scenarios_for(self, level: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if level in s.levels]
