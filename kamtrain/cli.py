"""The `kamtrain` command line: thin commands over the library modules.

Heavy modules (pydantic, jinja2, rich) are imported inside the commands so `kamtrain --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kamtrain import __version__
from kamtrain.errors import ContentInvalid, UserError

F = TypeVar("F", bound=Callable[..., Any])


class KamtrainGroup(click.Group):
    """Turns the library's errors into one clear line each and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ContentInvalid as invalid:
            for problem in invalid.problems:
                click.echo(str(problem), err=True)
            files = len({p.path for p in invalid.problems})
            click.echo(f"{len(invalid.problems)} problem(s) in {files} file(s)", err=True)
            ctx.exit(ContentInvalid.exit_code)
        except UserError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(UserError.exit_code)
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            ctx.exit(130)


def bank_option(command: F) -> F:
    """`--bank DIR`, repeatable: an organisation's own content layered over the built-in one."""
    return click.option(
        "--bank", "banks", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
        help="An extra content folder (question_bank/, rubrics/, scenarios/) layered on top of the "
             "built-in content; repeat to stack several.",
    )(command)


def load(banks: tuple[Path, ...]) -> Any:
    from kamtrain.bank import load_bank

    return load_bank(banks)


@click.group(cls=KamtrainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kamtrain")
def cli() -> None:
    """Interview kits, a handbook and offline role-play coaching for account roles
    (AE, AM, KAM, Senior AM).

    \b
    Examples:
      kamtrain validate                      check the built-in content
      kamtrain validate --bank ./our-bank    check it with your organisation's own bank on top
      kamtrain bank export --format json     the whole merged content, for other tools
    """


@cli.command()
@bank_option
def validate(banks: tuple[Path, ...]) -> None:
    """Check the content and print what it holds.

    Every problem is reported as `file:line: what is wrong`; the exit code is 2 when the content
    is invalid, 1 for other failures.

    \b
    Example:
      kamtrain validate --bank ./our-bank
    """
    from kamtrain.summary import content_summary

    bank = load(banks)
    click.echo(content_summary(bank, layers=1 + len(banks)))


@cli.group()
def bank() -> None:
    """Work with the merged content as data."""


@bank.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@bank_option
def bank_export(fmt: str, banks: tuple[Path, ...]) -> None:
    """Print the whole merged content: levels, competencies, questions, scenarios.

    \b
    Example:
      kamtrain bank export --format yaml --bank ./our-bank > bank.yaml
    """
    data = load(banks).model_dump(mode="json")
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), nl=False)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("schemas"),
              show_default=True, help="Folder to write the schema files into.")
def schema(output: Path) -> None:
    """Write JSON Schema for every content file kind, for editor autocompletion.

    Point a file at its schema with a first line such as
    `# yaml-language-server: $schema=../schemas/question_bank.schema.json`.

    \b
    Example:
      kamtrain schema -o schemas
    """
    from kamtrain.schemas import write_schemas

    for path in write_schemas(output):
        click.echo(f"wrote {path}")


def main(prog_name: str | None = None) -> None:
    """Entry point for the console script and `python -m kamtrain`."""
    try:
        cli.main(prog_name=prog_name or "kamtrain")
    except KeyboardInterrupt:
        click.echo("\nInterrupted.", err=True)
        sys.exit(130)


@cli.group()
def roleplay() -> None:
    """Mock role-plays with a client who reacts to what you do, and a coach who grades it."""


def _scenario(banks: tuple[Path, ...], scenario_id: str) -> Any:
    bank_ = load(banks)
    scenario = bank_.scenarios.get(scenario_id)
    if scenario is None:
        from kamtrain.errors import did_you_mean

        hint = did_you_mean(scenario_id, bank_.scenarios)
        raise UserError(f"unknown scenario '{scenario_id}'{hint}; choose from {', '.join(bank_.scenarios)}")
    return scenario


@roleplay.command("grade")
@click.option("--scenario", "scenario_id", required=True, metavar="ID", help="The scenario the replies answer.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "md"]), default="jsonl", show_default=True,
              help="jsonl: one result per reply; csv or md: a mentor's summary table.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@bank_option
def roleplay_grade(scenario_id: str, fmt: str, file: Any, banks: tuple[Path, ...]) -> None:
    """Grade a cohort's written replies to one scenario.

    FILE is JSONL with {"id", "text", "lang"} per line, or CSV with the same columns (by its .csv
    name); `-` reads JSONL from stdin. A line that cannot be read gets an error object with its line
    number and the rest are still graded.

    \b
    Example:
      kamtrain roleplay grade --scenario too-expensive replies.jsonl > graded.jsonl
      kamtrain roleplay grade --scenario too-expensive replies.csv --format md
    """
    from kamtrain.roleplay.batch import grade_rows, read_rows, summary

    scenario = _scenario(banks, scenario_id)
    results = grade_rows(read_rows(file, getattr(file, "name", "-")), scenario)
    if fmt == "jsonl":
        for result in results:
            click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(summary(list(results), fmt), nl=False)


lang_option = click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
                           help="Language of the client and the coach.")
level_option = click.option("--level", type=click.Choice(["ae", "am", "kam", "sam"]), default=None,
                            help="Only what suits this level.")


@roleplay.command("list")
@lang_option
@level_option
@bank_option
def roleplay_list(lang: str, level: str | None, banks: tuple[Path, ...]) -> None:
    """List the role-play scenarios with their titles and levels.

    \b
    Example:
      kamtrain roleplay list --level kam --lang en
    """
    bank_ = load(banks)
    scenarios = bank_.scenarios_for(level) if level else list(bank_.scenarios.values())
    width = max((len(s.id) for s in scenarios), default=0)
    for scenario in scenarios:
        click.echo(f"{scenario.id:<{width}}  {', '.join(scenario.levels):<14}  {scenario.title[lang]}")


@roleplay.command("run")
@click.argument("scenario_id", metavar="SCENARIO")
@lang_option
@level_option
@click.option("--transcript", "transcript_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the JSONL transcript (a Markdown copy goes beside it). "
                   "Default: the transcripts folder in your kamtrain data folder.")
@click.option("--user", default=None, help="Your name, to keep your sessions apart from a teammate's.")
@bank_option
def roleplay_run(scenario_id: str, lang: str, level: str | None, transcript_path: Path | None,
                 user: str | None, banks: tuple[Path, ...]) -> None:
    """Play a scenario: the client speaks, you answer, the coach grades and explains.

    Works with piped input too, one reply per line. Every turn is saved as it happens.

    \b
    Example:
      kamtrain roleplay run too-expensive --lang vi
      printf 'Em hiểu chị lo chi phí...\\n/quit\\n' | kamtrain roleplay run too-expensive
    """
    from kamtrain.paths import data_dir
    from kamtrain.roleplay.session import Session
    from kamtrain.roleplay.terminal import Printer, line_reader, run_interactive
    from kamtrain.roleplay.transcript import Transcript, default_transcript_path

    scenario = _scenario(banks, scenario_id)
    if level and level not in scenario.levels:
        click.echo(f"Note: '{scenario_id}' is written for {', '.join(scenario.levels)}, not {level}.", err=True)
    path = transcript_path or default_transcript_path(data_dir(), scenario.id)
    session = Session(scenario, lang)
    code = run_interactive(session, Transcript(path), Printer(), line_reader(scenario.persona.name), user)
    sys.exit(code)


@roleplay.command("review")
@click.argument("transcript_path", metavar="TRANSCRIPT", type=click.Path(path_type=Path, dir_okay=False))
@bank_option
def roleplay_review(transcript_path: Path, banks: tuple[Path, ...]) -> None:
    """Replay a saved session with the coach's verdicts, for a mentor and trainee to go through.

    \b
    Example:
      kamtrain roleplay review ~/.local/share/kamtrain/transcripts/20261124T090000Z-too-expensive.jsonl
    """
    from kamtrain.roleplay.terminal import Printer, show_client, show_debrief
    from kamtrain.roleplay.transcript import read_events, replay

    events = read_events(transcript_path)
    session = replay(events, _scenario(banks, str(events[0].get("scenario"))))
    printer = Printer()
    printer.line(f"{session.scenario.persona.name}: {session.opening}")
    for turn in session.turns:
        printer.line(f"> {turn.reply}")
        show_client(session, turn.client_lines, printer)
    show_debrief(session, printer)
