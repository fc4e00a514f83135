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
