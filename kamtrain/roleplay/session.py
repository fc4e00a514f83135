"""A role-play session: the client's state, how it reacts to each reply, and the end-of-session debrief.

The client reacts to the moves the coach finds, not to keywords of its own: a probe brings out a
hidden fact, an argument or blame hardens the client, a discount for nothing makes them push for more,
ownership and acknowledgement calm them, and a committed next step closes once they are calm and
have been offered something of value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kamtrain.model import BAD_MOVES, GOOD_MOVES, HiddenFact, Scenario
from kamtrain.resources import package_yaml
from kamtrain.roleplay.coach import (
    Coach,
    Verdict,
    compile_phrases,
    default_cues,
    grade_moves,
    missing_for_next_grade,
)

OUTCOMES = ("won", "lost", "timeout", "quit")


def screen_text() -> dict[str, Any]:
    loaded: dict[str, Any] = package_yaml("roleplay/screen.yaml")
    return loaded


def label(key: str, lang: str) -> str:
    return str(screen_text()["labels"][key][lang])


def mood_label(mood: int, lang: str) -> str:
    return str(screen_text()["moods"][max(-3, min(2, mood))][lang])


@dataclass
class Turn:
    number: int
    reply: str
    verdict: Verdict
    client_lines: list[str]
    revealed: list[str]
    mood: int


@dataclass
class Session:
    scenario: Scenario
    lang: str
    coach: Coach = field(init=False)
    mood: int = field(init=False)
    turns: list[Turn] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    strikes: int = 0
    offered: bool = False
    outcome: str | None = None
    _used: dict[str, int] = field(default_factory=dict)
    _asked_by: dict[str, re.Pattern[str] | None] = field(init=False)

    def __post_init__(self) -> None:
        self.coach = Coach(self.scenario)
        self.mood = self.scenario.persona.start_mood
        # Read as the reply is read, chat shorthand included, so "e ngai" meets "e ngại" typed by the trainee.
        self._asked_by = {fact.id: compile_phrases(self.coach.read(words, self.lang).text for words in fact.asked_by)
                          for fact in self.scenario.persona.hidden_facts}

    @property
    def opening(self) -> str:
        return self.scenario.opening[self.lang]

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def restart(self) -> None:
        fresh = Session(self.scenario, self.lang)
        self.__dict__.update(fresh.__dict__)

    def respond(self, reply: str) -> Turn:
        """Judge the trainee's reply, move the client's state, and return the client's answer."""
        if self.over:
            raise RuntimeError("the session is over")
        verdict = self.coach.judge(reply)
        moves = set(verdict.moves)
        lines: list[str] = []
        revealed_now: list[str] = []
        reactions = self.scenario.reactions
        ending = self.scenario.ending
        self.offered = self.offered or bool(moves & {"value", "options", "ownership"})

        if moves & {"argue", "blame"}:
            self.mood -= 1
            self.strikes += 1
            lines.append(self._pick("harden", reactions.harden))
        elif "discount" in moves:
            self.strikes += 1
            lines.append(self._pick("push_more", reactions.push_more))
        elif "overpromise" in moves:
            self.strikes += 1
            lines.append(self._pick("doubt", reactions.doubt))
        elif "next_step" in moves and self.mood >= 0 and self.offered:
            self.outcome = "won"
            lines.append(ending.won[self.lang])
        else:
            if moves & {"acknowledge", "ownership"}:
                self.mood = min(2, self.mood + 1)
                lines.append(self._pick("soften", reactions.soften))
            if "probe" in moves:
                fact = self._fact_for(reply)
                if fact is not None:
                    self.revealed.append(fact.id)
                    revealed_now.append(fact.id)
                    lines.append(fact.reveal[self.lang])
                elif not lines:
                    lines.append(self._pick("consider", reactions.consider))
            if not lines and moves & {"value", "options"}:
                lines.append(self._pick("consider", reactions.consider))
            if not lines:
                lines.append(self._pick("stall", reactions.stall))

        turn = Turn(len(self.turns) + 1, reply, verdict, lines, revealed_now, self.mood)
        self.turns.append(turn)
        if not self.over:
            if self.strikes >= ending.patience or self.mood <= -3:
                self.outcome = "lost"
                turn.client_lines.append(ending.lost[self.lang])
            elif len(self.turns) >= ending.max_turns:
                self.outcome = "timeout"
                turn.client_lines.append(ending.timeout[self.lang])
        return turn

    def quit(self) -> None:
        if not self.over:
            self.outcome = "quit"

    def hint(self) -> list[str]:
        """What a good next move would be, from what the conversation still lacks."""
        advice = default_cues()["advice"]
        made = {m for turn in self.turns for m in turn.verdict.moves}
        drop, add = missing_for_next_grade(made)
        tips = [advice[m]["add"][self.lang] for m in add[:2]]
        if len(self.revealed) < len(self.scenario.persona.hidden_facts):
            tips.append(label("hint_fact", self.lang))
        if drop:
            tips.insert(0, advice[drop[0]]["drop"][self.lang])
        return tips or [advice["next_step"]["add"][self.lang]]

    def _pick(self, kind: str, options: list[Any]) -> str:
        used = self._used.get(kind, 0)
        self._used[kind] = used + 1
        return str(options[used % len(options)][self.lang])

    def _fact_for(self, reply: str) -> HiddenFact | None:
        hidden = [f for f in self.scenario.persona.hidden_facts if f.id not in self.revealed]
        if not hidden:
            return None
        asked = self.coach.read(reply, self.lang).text
        for fact in hidden:
            pattern = self._asked_by[fact.id]
            if pattern is not None and pattern.search(asked):
                return fact
        return hidden[0]

    # -- the debrief -------------------------------------------------------------------------

    @property
    def moves_made(self) -> list[str]:
        made = {m for turn in self.turns for m in turn.verdict.moves}
        return [m for m in (*GOOD_MOVES, *BAD_MOVES) if m in made]

    @property
    def grade(self) -> int:
        return grade_moves(self.moves_made)

    def keep_start_stop(self) -> dict[str, list[str]]:
        advice = default_cues()["advice"]
        made = self.moves_made
        keep = []
        for move in GOOD_MOVES:
            quote = self._first_quote(move)
            if quote:
                keep.append(f"{advice[move]['name'][self.lang]}: \"{quote}\"")
        start = [advice[m]["add"][self.lang] for m in GOOD_MOVES if m not in made]
        stop = []
        for move in BAD_MOVES:
            quote = self._first_quote(move)
            if quote:
                stop.append(f"{advice[move]['name'][self.lang]}: \"{quote}\" — {advice[move]['drop'][self.lang]}")
        return {"keep": keep, "start": start, "stop": stop}

    def _first_quote(self, move: str) -> str | None:
        for turn in self.turns:
            found = turn.verdict.evidence.get(move)
            if found:
                return found[0].text
        return None
