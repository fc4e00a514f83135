"""The content model: what a level, competency, question and scenario are.

Every user-facing string is a `Text` with both `vi` and `en`. Cross-references (a question's
competency, a scenario's levels) are checked in `kamtrain.bank`, after all layers are merged.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Slug = Annotated[str, Field(pattern=_SLUG.pattern, max_length=80)]
Score = Literal[1, 2, 3, 4, 5]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Text(Strict):
    """One user-facing string in Vietnamese (first) and English."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __getitem__(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


Texts = Annotated[list[Text], Field(min_length=1)]


class LevelProfile(Strict):
    id: LevelId
    name: Text
    scope: Text
    duties: Annotated[list[Text], Field(min_length=3)]
    kpis: Annotated[list[Text], Field(min_length=2)]
    portfolio: Text
    differs_from_below: Text
    versus_sales: Text
    source: Source


class Competency(Strict):
    id: Slug
    group: Group
    name: Text
    description: Text
    rubric: dict[LevelId, dict[Score, Text]] = Field(min_length=1)

    @field_validator("rubric")
    @classmethod
    def _five_anchors_per_level(cls, rubric: dict[str, dict[int, Text]]) -> dict[str, dict[int, Text]]:
        for level, anchors in rubric.items():
            missing = sorted({1, 2, 3, 4, 5} - set(anchors))
            if missing:
                raise ValueError(f"level '{level}' lacks anchors for scores {missing}: each level needs 1..5")
        return rubric

    @property
    def levels(self) -> list[LevelId]:
        return [level for level in LEVEL_IDS if level in self.rubric]


class Question(Strict):
    id: Slug
    levels: Annotated[list[LevelId], Field(min_length=1)]
    competency: Slug
    kind: Kind
    text: Text
    reveals: Text
    probes: Annotated[list[Text], Field(min_length=2)]
    signals: Texts
    red_flags: Texts
    outline: Texts
    minutes: int = Field(gt=0, le=60)
    source: Source
    tags: list[Slug] = []


class HiddenFact(Strict):
    """Something the client knows and says only when the trainee asks."""

    id: Slug
    fact: Text
    reveal: Text
    asked_by: list[str] = []


class Persona(Strict):
    name: Text  # as the client is addressed: "Chị Thảo" in Vietnamese, "Thao" in English
    role: Text
    company: str = Field(min_length=1)
    industry: Text
    mood: Text
    start_mood: int = Field(ge=-2, le=2)
    hidden_facts: Annotated[list[HiddenFact], Field(min_length=2)]


class Reactions(Strict):
    """What the client says after a turn, by what the trainee's reply did."""

    harden: Texts
    push_more: Texts
    doubt: Texts
    soften: Texts
    consider: Texts
    stall: Texts


class Ending(Strict):
    max_turns: int = Field(default=6, ge=2, le=20)
    patience: int = Field(default=3, ge=1, le=10)
    won: Text
    lost: Text
    timeout: Text


class Scenario(Strict):
    id: ScenarioId
    title: Text
    levels: Annotated[list[LevelId], Field(min_length=1)]
    competency: Slug
    situation: Text
    persona: Persona
    opening: Text
    reactions: Reactions
    ending: Ending
    debrief: Texts
    model_reply: Text
    cues: dict[Move, list[str]] = {}
    source: Source

    @model_validator(mode="after")
    def _hidden_fact_ids_unique(self) -> Scenario:
        seen: set[str] = set()
        for fact in self.persona.hidden_facts:
            if fact.id in seen:
                raise ValueError(f"hidden fact id '{fact.id}' appears twice")
            seen.add(fact.id)
        return self


class QuestionFile(Strict):
    """A file in question_bank/."""

    questions: Annotated[list[Question], Field(min_length=1)]


class RubricFile(Strict):
    """A file in rubrics/: level profiles, competencies with their rubrics, or both."""

    levels: list[LevelProfile] = []
    competencies: list[Competency] = []


FILE_KINDS: dict[str, type[Strict]] = {
    "question_bank": QuestionFile,
    "rubrics": RubricFile,
    "scenarios": Scenario,
}


class Bank(BaseModel):
    """The merged, validated content: what every command reads."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    levels: dict[str, LevelProfile]
    competencies: dict[str, Competency]
    questions: dict[str, Question]
    scenarios: dict[str, Scenario]

    def questions_for(self, level: str) -> list[Question]:
        return [q for q in self.questions.values() if level in q.levels]

    def scenarios_for(self, level: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if level in s.levels]
