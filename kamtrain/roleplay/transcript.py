"""Transcripts that survive anything: one JSON line per event, flushed to disk as it happens.

A Markdown copy for the mentor is rewritten (atomically) after every turn. Ctrl-C, EOF or a closed
terminal can at worst lose the closing line, never a turn that was said.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kamtrain.errors import UserError
from kamtrain.model import Scenario
from kamtrain.paths import write_atomically
from kamtrain.roleplay.session import Session, Turn, label, mood_label


def default_transcript_path(data_dir: Path, scenario_id: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return data_dir / "transcripts" / f"{stamp}-{scenario_id}.jsonl"


class Transcript:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")
            if self._file.tell() and not _ends_a_line(path):
                self._file.write("\n")  # after a line torn by a crash, start a fresh one
        except OSError as err:
            raise UserError(f"cannot write the transcript '{path}': {err.strerror}") from None

    def event(self, kind: str, **data: Any) -> dict[str, Any]:
        """Write one event and make sure it is on disk; return it as written."""
        record = {"event": kind, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **data}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        return record

    def start(self, session: Session, user: str | None) -> None:
        self.event("start", scenario=session.scenario.id, lang=session.lang, user=user)
        self.event("client", text=session.opening, mood=session.mood)

    def turn(self, turn: Turn) -> None:
        self.event("turn", number=turn.number, reply=turn.reply, **turn.verdict.to_json(),
                   client=turn.client_lines, revealed=turn.revealed, mood=turn.mood)

    def close(self, session: Session) -> None:
        self.event("end", outcome=session.outcome, grade=session.grade, moves=session.moves_made,
                   revealed=session.revealed)
        self.release()

    def release(self) -> None:
        self._file.close()

    def write_markdown(self, session: Session) -> Path:
        return write_markdown(self.path, session)


def _ends_a_line(path: Path) -> bool:
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) == b"\n"


def add_mentor_grade(path: Path, events: list[dict[str, Any]], session: Session, *, mentor: str, grade: int,
                     reason: str) -> dict[str, Any]:
    """Append a mentor's grade for the file's last session; return the event as written.

    The coach's grade beside it is the one the trainee was shown (the session's `end` event), not what
    today's coach would say on a replay.
    """
    ended = [e for e in events[_last_start(events):] if e.get("event") == "end"]
    coach_grade = ended[-1].get("grade", session.grade) if ended else session.grade
    transcript = Transcript(path)
    try:
        return transcript.event("mentor_grade", mentor=mentor, grade=grade, reason=reason, coach_grade=coach_grade)
    finally:
        transcript.release()


def add_mentor_line(path: Path, session: Session, given: dict[str, Any]) -> None:
    """Add a mentor's grade to the transcript's Markdown copy, leaving the conversation in it as it was."""
    copy = path.with_suffix(".md")
    try:
        try:
            existing = copy.read_text(encoding="utf-8").rstrip("\n")
        except FileNotFoundError:
            existing = markdown(session).rstrip("\n")
        write_atomically(copy, f"{existing}\n\n> {mentor_line(given, session.lang)}\n")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"the grade is saved in '{path}', but its Markdown copy '{copy}' was not updated: "
                        f"{getattr(err, 'strerror', None) or err}") from None


def mentor_grades(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mentors' grades given to the last session of a transcript, oldest first (the last one counts)."""
    return [e for e in events[_last_start(events):] if e.get("event") == "mentor_grade"]


def _last_start(events: list[dict[str, Any]]) -> int:
    return max(i for i, e in enumerate(events) if e.get("event") == "start")


def write_markdown(path: Path, session: Session) -> Path:
    target = path.with_suffix(".md")
    write_atomically(target, markdown(session))
    return target


def mentor_line(grade: dict[str, Any], lang: str) -> str:
    return (f"{label('mentor_grade', lang)} ({grade.get('mentor')}, {str(grade.get('at', ''))[:10]}): "
            f"{grade.get('grade')}/5, {label('instead_of_coach', lang)} {grade.get('coach_grade')}/5. "
            f"{grade.get('reason')}")


def markdown(session: Session) -> str:
    lang = session.lang
    scenario = session.scenario
    lines = [f"# {scenario.title[lang]}", "", f"_{scenario.situation[lang]}_", "",
             f"**{label('client', lang)}:** {session.opening}", ""]
    for turn in session.turns:
        moves = ", ".join(turn.verdict.moves) or label("no_moves", lang)
        lines += [f"**{label('you', lang)} ({label('turn', lang)} {turn.number}):** {turn.reply}", "",
                  f"> {moves} · {label('grade', lang)} {turn.verdict.grade}/5", ""]
        lines += [f"**{label('client', lang)}** ({mood_label(turn.mood, lang)}): {line}" for line in turn.client_lines]
        lines.append("")
    if session.outcome:
        lines += [f"**{label('outcome_' + session.outcome, lang)}** · {label('grade', lang)} {session.grade}/5", ""]
    return "\n".join(lines)


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of a transcript; a line torn by a crash mid-write (even mid-character) is skipped."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UserError(f"cannot read the transcript '{path}': {err.strerror}") from None
    events = []
    lines = raw.split(b"\n")
    last = max((number for number, line in enumerate(lines, 1) if line.strip()), default=0)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        # Every event is one JSON object on its own line: one that does not parse was torn by a crash.
        torn = number == last or line.startswith(b"{")
        try:
            event = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            if torn:
                continue
            raise UserError(f"'{path}' is not a kamtrain transcript (not UTF-8 text)") from None
        except json.JSONDecodeError:
            if torn:
                continue
            raise UserError(f"{path}:{number}: not a transcript line (invalid JSON)") from None
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            raise UserError(f"{path}:{number}: not a transcript line (expected an object with an 'event')")
        if event["event"] == "start" and event.get("lang") not in ("vi", "en"):
            raise UserError(f"{path}:{number}: the session's language must be vi or en")
        if event["event"] == "turn" and not isinstance(event.get("reply"), str):
            raise UserError(f"{path}:{number}: a turn without the trainee's reply")
        events.append(event)
    if not events or events[0].get("event") != "start":
        raise UserError(f"'{path}' is not a kamtrain transcript (no start line)")
    return events


def replay(events: list[dict[str, Any]], scenario: Scenario) -> Session:
    """Rebuild the file's last session from its events by replaying its replies (restarts included)."""
    events = events[_last_start(events):]
    session = Session(scenario, events[0]["lang"])
    for event in events:
        if event.get("event") == "restart":
            session.restart()
        elif event.get("event") == "turn" and not session.over:
            session.respond(event["reply"])
    if not session.over and any(e.get("event") == "end" for e in events):
        session.quit()
    return session
