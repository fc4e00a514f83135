"""The role-play on a terminal: a rich screen on a TTY, plain lines when piped or with NO_COLOR."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TextIO

import click

from kamtrain.roleplay.session import Session, label, mood_label
from kamtrain.roleplay.transcript import Transcript


class Printer:
    """Writes the screen; rich styling only where it helps (a TTY without NO_COLOR)."""

    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout
        self.rich: Any = None
        if self.out.isatty() and not os.environ.get("NO_COLOR"):
            from rich.console import Console

            self.rich = Console(file=self.out, highlight=False)

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.rich is not None:
            self.rich.print(text, style=style, markup=False)
        else:
            click.echo(text, file=self.out)

    def rule(self, title: str) -> None:
        if self.rich is not None:
            self.rich.rule(title)
        else:
            click.echo(f"== {title} ==", file=self.out)


def show_intro(session: Session, printer: Printer) -> None:
    lang = session.lang
    scenario = session.scenario
    persona = scenario.persona
    printer.rule(scenario.title[lang])
    printer.line(f"{label('situation', lang)}: {scenario.situation[lang]}", style="italic")
    printer.line(f"{persona.name[lang]} · {persona.role[lang]} · {persona.company} ({persona.industry[lang]})")
    printer.line(label("commands", lang), style="dim")
    printer.line()
    show_client(session, [session.opening], printer)


def show_client(session: Session, lines: list[str], printer: Printer) -> None:
    lang = session.lang
    status = (f"[{label('turn', lang)} {len(session.turns)}/{session.scenario.ending.max_turns} · "
              f"{label('mood', lang)}: {mood_label(session.mood, lang)}]")
    for text in lines:
        printer.line(f"{session.scenario.persona.name[session.lang]}: {text}", style="bold cyan")
    printer.line(status, style="dim")


def show_debrief(session: Session, printer: Printer) -> None:
    lang = session.lang
    scenario = session.scenario
    printer.line()
    printer.rule(label("outcome_" + (session.outcome or "quit"), lang))
    printer.line(f"{label('grade', lang)}: {session.grade}/5", style="bold")
    printer.line()
    printer.line(label("per_turn", lang), style="bold")
    for turn in session.turns:
        printer.line(f"  {label('turn', lang)} {turn.number} ({turn.verdict.grade}/5): {turn.reply}")
        if not turn.verdict.evidence:
            printer.line(f"    {label('no_moves', lang)}", style="dim")
        for move, found in turn.verdict.evidence.items():
            quotes = " | ".join(f"\"{e.text}\"" for e in found[:2])
            printer.line(f"    {move}: {quotes}", style="red" if move in turn.verdict.bad else "green")
    advice = session.keep_start_stop()
    for key in ("keep", "start", "stop"):
        if advice[key]:
            printer.line()
            printer.line(label(key, lang), style="bold")
            for item in advice[key]:
                printer.line(f"  - {item}")
    facts = {f.id: f for f in scenario.persona.hidden_facts}
    found_facts = [facts[i] for i in session.revealed]
    missed = [f for f in scenario.persona.hidden_facts if f.id not in session.revealed]
    for key, group in (("facts_found", found_facts), ("facts_missed", missed)):
        if group:
            printer.line()
            printer.line(label(key, lang), style="bold")
            for fact in group:
                printer.line(f"  - {fact.fact[lang]}")
    printer.line()
    printer.line(label("debrief", lang), style="bold")
    for point in scenario.debrief:
        printer.line(f"  - {point[lang]}")
    printer.line()
    printer.line(label("model_reply", lang), style="bold")
    printer.line(f"  {scenario.model_reply[lang]}", style="green")


class _Hangup(Exception):
    pass


def _raise_hangup(signum: int, frame: Any) -> None:
    raise _Hangup()


def run_interactive(
    session: Session,
    transcript: Transcript,
    printer: Printer,
    read_line: Callable[[], str | None],
    user: str | None = None,
    on_end: Callable[[Session], None] | None = None,
    echo_replies: bool = False,
) -> int:
    """Play the session until it ends, EOF, /quit, Ctrl-C or a hang-up; return the exit code.

    With `echo_replies` (piped input) each reply is printed, so the screen reads as a conversation.
    """
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _raise_hangup)
    transcript.start(session, user)
    show_intro(session, printer)
    code = 0
    try:
        while not session.over:
            reply = read_line()
            if reply is None:
                session.quit()
                break
            reply = reply.strip()
            if not reply:
                continue
            if reply == "/quit":
                session.quit()
                break
            if reply == "/hint":
                for tip in session.hint():
                    printer.line(f"{label('hint', session.lang)}: {tip}", style="yellow")
                continue
            if reply == "/restart":
                session.restart()
                transcript.event("restart")
                printer.line(label("restarted", session.lang), style="yellow")
                show_client(session, [session.opening], printer)
                continue
            if echo_replies:
                printer.line(f"{label('you', session.lang)}: {reply}")
            turn = session.respond(reply)
            transcript.turn(turn)
            transcript.write_markdown(session)
            show_client(session, turn.client_lines, printer)
    except (KeyboardInterrupt, _Hangup):
        session.quit()
        code = 130
        printer.line()
        printer.line(f"{label('interrupted', session.lang)}: {transcript.path}", style="yellow")
    transcript.close(session)
    transcript.write_markdown(session)
    if on_end is not None:
        on_end(session)
    if code == 0:
        show_debrief(session, printer)
        printer.line()
        printer.line(f"{label('transcript', session.lang)}: {transcript.path}", style="dim")
    return code


def line_reader(prompt: str) -> Callable[[], str | None]:
    """Reads one line of input: a prompt on a TTY, plain lines from a pipe; None at EOF.

    Bytes that are not UTF-8 become U+FFFD, so a stray byte cannot stop a session half-way.
    """
    interactive = sys.stdin.isatty()

    def read() -> str | None:
        if interactive:
            try:
                line = input(f"{prompt}> ")
            except EOFError:
                return None
        else:
            line = sys.stdin.readline()
            if line == "":
                return None
        return line.rstrip("\r\n").encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    return read
