"""The `kamtrain` command line: thin commands over the library modules.

Heavy modules (pydantic, jinja2, rich) are imported inside the commands so `kamtrain --help` stays fast.
"""

from __future__ import annotations

import contextlib
import io
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


def lang_option(help_text: str) -> Callable[[F], F]:
    """--lang vi|en, Vietnamese by default (the users' first language)."""
    return click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help=help_text)


@click.group(cls=KamtrainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kamtrain")
def cli() -> None:
    """Interview kits, a handbook and offline role-play coaching for account roles
    (AE, AM, KAM, Senior AM).

    \b
    Examples:
      kamtrain roleplay run too-expensive              a client says "Dịch vụ của bên bạn quá đắt"
      kamtrain kit --level kam --minutes 60 -o out     an interviewer's kit with its scorecard
      kamtrain practice --level am                     spaced-repetition practice on your own
      kamtrain handbook build -o out/handbook          the bilingual handbook
      kamtrain validate --bank ./our-bank              check your organisation's bank on top
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
    import json

    from pydantic import TypeAdapter

    from kamtrain.model import Bank

    data = TypeAdapter(Bank).dump_python(load(banks), mode="json")
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


@cli.group()
def handbook() -> None:
    """The bilingual handbook (vi + en): a website built from the bank with MkDocs."""


@handbook.command("build")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("out/handbook"),
              show_default=True, help="Folder to write the site into; an earlier build there is replaced.")
@bank_option
def handbook_build(output: Path, banks: tuple[Path, ...]) -> None:
    """Build the handbook website: hand-written pages plus pages generated from the bank.

    Strict: a broken link or any other MkDocs warning fails the build.

    \b
    Example:
      kamtrain handbook build --bank ./our-bank -o out/handbook
      python -m http.server -d out/handbook 8000
    """
    from kamtrain.handbook import build_handbook

    site = build_handbook(output, banks)
    click.echo(f"Handbook built in {site}/ (open it through a web server: python -m http.server -d {site})")


@handbook.command("serve")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT",
              help="Address to serve the preview on.")
@bank_option
def handbook_serve(dev_addr: str, banks: tuple[Path, ...]) -> None:
    """Preview the handbook, rebuilding it when a page or the bank changes. Ctrl-C stops it.

    \b
    Example:
      kamtrain handbook serve --bank ./our-bank -a 127.0.0.1:8000
    """
    from kamtrain.handbook import serve_handbook

    serve_handbook(dev_addr, banks,
                   ready=lambda: click.echo(f"Previewing the handbook at http://{dev_addr}/ (Ctrl-C stops it)"))


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
@lang_option("Language of the Markdown summary (each reply's advice follows its own language).")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@bank_option
def roleplay_grade(scenario_id: str, fmt: str, lang: str, file: Any, banks: tuple[Path, ...]) -> None:
    """Grade a cohort's written replies to one scenario.

    FILE is JSONL with {"id", "text", "lang"} per line, or CSV with the same columns (by its .csv
    name); `-` reads JSONL from stdin. A line that cannot be read gets an error object with its line
    number and the rest are still graded.

    \b
    Example:
      kamtrain roleplay grade --scenario too-expensive replies.jsonl > graded.jsonl
      kamtrain roleplay grade --scenario too-expensive replies.csv --format md --lang vi
    """
    import json

    from kamtrain.roleplay.batch import grade_rows, read_rows, summary

    scenario = _scenario(banks, scenario_id)
    name = getattr(file, "name", "-")
    graded = errors = 0
    results = []
    try:
        for result in grade_rows(read_rows(file, name), scenario):
            graded += "grade" in result
            errors += "error" in result
            if fmt == "jsonl":
                click.echo(json.dumps(result, ensure_ascii=False))
            else:
                results.append(result)
    except UnicodeDecodeError:
        raise UserError(f"'{name}' is not UTF-8 text; save it as UTF-8") from None
    if fmt != "jsonl":
        click.echo(summary(results, fmt, lang), nl=False)
    if not graded and not errors:
        raise UserError(f"'{name}' holds no replies")
    if errors:
        click.echo(f"{errors} line(s) could not be graded; see their error objects", err=True)
        sys.exit(1)


level_option = click.option("--level", type=click.Choice(["ae", "am", "kam", "sam"]), default=None,
                            help="Only what suits this level.")
db_option = click.option("--db", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
                         help="The practice history file (SQLite). Default: $KAMTRAIN_DB, else history.sqlite3 "
                              "in your kamtrain data folder.")
user_option = click.option("--user", default=None, metavar="NAME",
                           help="Whose history: default $KAMTRAIN_USER, else your login name.")
now_option = click.option("--now", default=None, metavar="ISO",
                          help="Pretend it is this UTC time, e.g. 2026-01-05T09:00 (for scripting and tests).")


def _history(db: Path | None, create: bool = True) -> Any:
    from kamtrain.history import default_db_path, open_history

    return open_history(db or default_db_path(), create=create)


def _now(text: str | None) -> Any:
    from kamtrain.history import parse_time

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise UserError(f"--now '{text}' is not an ISO date or time (e.g. 2026-01-05T09:00)") from None


@roleplay.command("list")
@lang_option("Language of the client and the coach.")
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
@lang_option("Language of the client and the coach.")
@level_option
@click.option("--transcript", "transcript_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the JSONL transcript (a Markdown copy goes beside it). "
                   "Default: the transcripts folder in your kamtrain data folder.")
@click.option("--user", default=None, help="Your name, to keep your sessions apart from a teammate's.")
@db_option
@bank_option
def roleplay_run(scenario_id: str, lang: str, level: str | None, transcript_path: Path | None,
                 user: str | None, db: Path | None, banks: tuple[Path, ...]) -> None:
    """Play a scenario: the client speaks, you answer, the coach grades and explains.

    Works with piped input too, one reply per line. Every turn is saved as it happens, and the
    finished session goes into your practice history (see `kamtrain progress`).

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
    if path.suffix != ".jsonl":
        raise UserError(f"--transcript '{path}' must end in .jsonl (its Markdown copy is written beside it as .md)")
    from kamtrain.history import default_user, utc_now
    from kamtrain.practice import record_roleplay

    session = Session(scenario, lang)
    who = user or default_user()
    with _history(db) as history:
        code = run_interactive(session, Transcript(path), Printer(), line_reader(scenario.persona.name[lang]), who,
                               on_end=lambda done: record_roleplay(history, who, done, path, utc_now()),
                               echo_replies=not sys.stdin.isatty())
    sys.exit(code)


@roleplay.command("review")
@click.argument("transcript_path", metavar="TRANSCRIPT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--grade", type=click.IntRange(1, 5), default=None,
              help="Your grade for the session, 1-5. It is kept in the transcript and counts in place of the "
                   "coach's in the trainee's progress and practice schedule.")
@click.option("--reason", default=None, help="Why, in a sentence the trainee will read (needed with --grade).")
@click.option("--mentor", default=None, metavar="NAME",
              help="Who grades: default $KAMTRAIN_USER, else your login name.")
@db_option
@bank_option
def roleplay_review(transcript_path: Path, grade: int | None, reason: str | None, mentor: str | None,
                    db: Path | None, banks: tuple[Path, ...]) -> None:
    """Replay a saved session with the coach's verdicts, for a mentor and trainee to go through.

    A mentor who reads it differently overrules the coach with --grade and --reason; every grade
    given is kept, and the latest one counts.

    \b
    Example:
      kamtrain roleplay review ~/.local/share/kamtrain/transcripts/20261124T090000Z-too-expensive.jsonl
      kamtrain roleplay review session.jsonl --grade 2 --reason "Giảm 10% ngay lượt đầu, chưa hỏi vì sao đắt."
    """
    from kamtrain.roleplay.terminal import Printer, show_client, show_debrief
    from kamtrain.roleplay.transcript import mentor_grades, mentor_line, read_events, replay

    reason = (reason or "").strip()
    if grade is None and reason:
        raise UserError("--reason goes with --grade: give the grade you want to count for this session")
    if grade is not None and not reason:
        raise UserError("--grade needs --reason: say in a sentence why, so the trainee can learn from it")
    events = read_events(transcript_path)
    last_start = [e for e in events if e.get("event") == "start"][-1]
    session = replay(events, _scenario(banks, str(last_start.get("scenario"))))
    if grade is not None and not session.turns:
        raise UserError(f"'{transcript_path}' holds no reply to grade: the session ended before the first turn")
    printer = Printer()
    printer.line(f"{session.scenario.persona.name[session.lang]}: {session.opening}")
    for turn in session.turns:
        printer.line(f"> {turn.reply}")
        show_client(session, turn.client_lines, printer)
    show_debrief(session, printer)
    saved = None
    if grade is not None:
        given, saved = _add_mentor_grade(transcript_path, events, session, grade, reason, mentor, db)
        events.append(given)
    for given in mentor_grades(events):
        printer.line()
        printer.line(mentor_line(given, session.lang), style="bold")
    if saved:
        click.echo(saved, err=True)


def _add_mentor_grade(transcript_path: Path, events: list[Any], session: Any, grade: int, reason: str,
                      mentor: str | None, db: Path | None) -> tuple[dict[str, Any], str]:
    """Keep the grade in the transcript, then in the trainee's history if the session is there; return the
    event as written and a line saying where it went.

    The history is opened first, so a file that cannot be used stops the command before anything is
    written; the transcript, which is the record, comes before the history, and its Markdown copy last.
    """
    from kamtrain.history import default_db_path, default_user, utc_now
    from kamtrain.practice import regrade_roleplay
    from kamtrain.roleplay.transcript import add_mentor_grade, add_mentor_line

    mentor = (mentor or default_user()).strip()
    if not mentor:
        raise UserError("the mentor's name is empty; give one with --mentor or $KAMTRAIN_USER")
    path = db or default_db_path()
    with contextlib.ExitStack() as stack:
        history = stack.enter_context(_history(path, create=False)) if path.exists() else None
        given = add_mentor_grade(transcript_path, events, session, mentor=mentor, grade=grade, reason=reason)
        trainee = None
        if history is not None:
            trainee = regrade_roleplay(history, transcript_path, mentor=mentor, grade=grade, reason=reason,
                                       now=utc_now())
    add_mentor_line(transcript_path, session, given)
    if trainee is None:
        return given, (f"Saved in '{transcript_path}'. No session in the practice history '{path}' was saved "
                       f"with this transcript, so progress is unchanged.")
    return given, f"Saved in '{transcript_path}' and in {trainee}'s practice history '{path}'."


@cli.command()
@level_option
@click.option("--competency", default=None, metavar="ID", help="Only this competency (e.g. negotiation).")
@lang_option("Language of the questions and the screen.")
@click.option("--count", type=click.IntRange(min=1), default=10, show_default=True, help="Items in this session.")
@user_option
@db_option
@now_option
@bank_option
def practice(level: str | None, competency: str | None, lang: str, count: int, user: str | None,
             db: Path | None, now: str | None, banks: tuple[Path, ...]) -> None:
    """Practise alone with spaced repetition: what is due first, then new items, weakest competency first.

    \b
    Each item is answered on ONE line (an empty line means "I just thought about it").
    Questions: the outline, signals and red flags are shown, then you rate yourself on the next
    line: a/again/1, h/hard/2, g/good/3, e/easy/4 (anything else is asked again).
    Role-play questions and scenarios: the coach grades your reply and rates it for you:
    grade 1 -> Again, 2 -> Hard, 3 or 4 -> Good, 5 -> Easy (an empty reply counts as Again).

    Scheduling is FSRS (the fsrs package). Every review is saved the moment it is rated; EOF or
    Ctrl-C stops with all completed reviews kept (exit 0 for EOF, 130 for Ctrl-C). Piped input
    follows the same lines, so sessions can be scripted.

    \b
    Example:
      kamtrain practice --level am --competency negotiation --lang en
      printf 'Ask what the budget covers\\ng\\n' | kamtrain practice --count 1 --user an
    """
    from kamtrain.history import default_user, utc_now
    from kamtrain.labels import label
    from kamtrain.practice import Practice, candidates, next_due, pick, require_scheduler
    from kamtrain.roleplay.terminal import Printer, line_reader

    require_scheduler()
    fixed = _now(now)
    who = user or default_user()
    with _history(db) as history:
        pool = candidates(load(banks), level, competency)
        if not pool:
            raise UserError("no questions or scenarios match "
                            f"level '{level or 'any'}' and competency '{competency or 'any'}'")
        moment = fixed or utc_now()
        items = pick(history, who, pool, moment, count)
        session = Practice(history, who, lang, level, Printer(), line_reader(""), lambda: fixed or utc_now())
        if not items:
            due = next_due(history, who, pool)
            click.echo(label("practice", "nothing_due", lang, when=session.when(due, moment) if due else "-"))
            return
        code = session.run(items)
    sys.exit(code)


@cli.command()
@user_option
@click.option("--all-users", is_flag=True, help="Everyone in the history file (a mentor's team view).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "csv"]), default="text", show_default=True,
              help="text: a summary; html: a report with charts to open in a browser; csv: every review.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of the terminal.")
@lang_option("Language of the report.")
@db_option
@now_option
@bank_option
def progress(user: str | None, all_users: bool, fmt: str, output: Path | None, lang: str, db: Path | None,
             now: str | None, banks: tuple[Path, ...]) -> None:
    """Show practice progress: strength per competency, reviews, due today, streak, role-play grades.

    Strength is the mean of each item's latest rating (Again 0%, Hard 33%, Good 67%, Easy 100%);
    days are UTC days; the streak counts days in a row with at least one review, up to today (or
    up to yesterday, until today's first review).

    \b
    Example:
      kamtrain progress --user an
      kamtrain progress --all-users --format html -o team-progress.html
      kamtrain progress --user an --format csv > an-history.csv
    """
    from kamtrain.history import default_user, utc_now
    from kamtrain.paths import write_atomically
    from kamtrain.progress import build_report, render_html, render_text, users_to_report, write_csv

    if user and all_users:
        raise click.UsageError("give --user or --all-users, not both")
    moment = _now(now) or utc_now()
    with _history(db, create=False) as history:
        if output is not None and output.resolve() == history.path.resolve():
            raise UserError(f"'{output}' is the history file itself; write the report somewhere else")
        names = users_to_report(history, None if all_users else (user or default_user()), all_users)
        buffer = io.StringIO(newline="")
        if fmt == "csv":
            write_csv(history, names, buffer)
        else:
            reports = [build_report(history, name, moment) for name in names]
            competency_names = {c.id: c.name[lang] for c in load(banks).competencies.values()}
            buffer.write(render_text(reports, lang, competency_names) if fmt == "text"
                         else render_html(reports, lang, str(history.path), competency_names))
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
        return
    try:
        write_atomically(output, buffer.getvalue())
    except OSError as err:
        raise UserError(f"cannot write '{output}': {err.strerror}") from None
    click.echo(f"wrote {output}", err=True)


# Interview kits, practice sheets, mentor plans, scorecards (kamtrain.kit, .mentor, .scorecard)

templates_option = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
    help="Your own templates (kit.html.j2, kit.md.j2, labels.yaml, ...) overriding the built-in ones by "
         "file name; they run in Jinja's sandbox.")
format_option = click.option("--format", "fmt", type=click.Choice(["html", "md", "pdf"]), default="html",
                             show_default=True, help="pdf needs the pdf extra: pip install 'kamtrain[pdf]'.")


def _output_option(default: str) -> Callable[[F], F]:
    return click.option("-o", "--output", type=click.Path(path_type=Path), default=Path(default),
                        show_default=True, help="Folder to write into; created if missing.")


@cli.command()
@click.option("--level", metavar="LEVEL", help="ae, am, kam or sam (a CSV gives it per row).")
@click.option("--minutes", type=int, default=60, show_default=True,
              help="Time booked for the interview: the questions plus the opening and closing fit in it.")
@click.option("--candidate", metavar="NAME", help="The candidate's name, printed on the kit and its scorecard.")
@lang_option("Language of the kit (a CSV row may say otherwise).")
@format_option
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed, same questions. Keeping it gives every candidate of a level the same questions, "
                   "which is what makes their scores comparable.")
@click.option("--round", "round_", type=int, default=1, show_default=True,
              help="Interview round; never repeats a question of the earlier rounds made with the same seed.")
@click.option("--exclude", type=click.Path(path_type=Path, dir_okay=False), multiple=True, metavar="FILE",
              help="An earlier round's scorecard file: exactly its questions are left out. Filled in, its "
                   "ratings and notes go into the kit and what it left open is asked first. Repeatable.")
@click.option("--practice", is_flag=True,
              help="A candidate's practice sheet instead: questions and tips, strong-answer outlines at the end.")
@click.option("--candidates", "candidates_csv", type=click.Path(path_type=Path, dir_okay=False), metavar="CSV",
              help="One kit per row of a CSV with the columns name,level and optionally round,lang.")
@templates_option
@bank_option
@_output_option("out/kits")
def kit(level: str | None, minutes: int, candidate: str | None, lang: str, fmt: str, seed: int, round_: int,
        exclude: tuple[Path, ...], practice: bool, candidates_csv: Path | None, templates: Path | None,
        banks: tuple[Path, ...], output: Path) -> None:
    """Write an interviewer's kit with its scorecard, or a candidate's practice sheet.

    The kit holds the agenda with timings, each question with what it reveals, probes, signals, red
    flags and the level's anchors for its competency, and a scorecard to print. Beside it goes a
    scorecard YAML for the interviewer to fill in and merge with `kamtrain scorecard merge`.

    \b
    Example:
      kamtrain kit --level kam --minutes 60 --candidate "Nguyễn Thị Lan" -o out/kits
      kamtrain kit --level kam --round 2 --exclude out/kits/scorecard-kam-nguyen-thi-lan-r1.yaml
      kamtrain kit --level am --practice --lang en --format md
      kamtrain kit --candidates candidates.csv --format pdf
    """
    from kamtrain.kit import (
        KitRequest,
        clean_name,
        make_batch,
        make_kit,
        prepare_out_dir,
        read_candidates,
        read_earlier_rounds,
    )
    from kamtrain.render import Renderer, require_pdf

    if fmt == "pdf":
        require_pdf()
    if candidates_csv is None and not level:
        raise UserError("give --level (ae, am, kam or sam), or --candidates with a CSV of candidates")
    if candidates_csv is not None and exclude:
        raise UserError("--exclude goes with one kit; in a CSV, round N leaves out the earlier rounds by itself")
    bank_ = load(banks)
    level = (level or "").lower()
    excluded, earlier = read_earlier_rounds(exclude, bank_, level, clean_name(candidate))
    request = KitRequest(level=level, minutes=minutes, lang=lang, fmt=fmt, seed=seed, round=round_,
                         candidate=clean_name(candidate) or (earlier.candidate if earlier else None),
                         practice=practice, exclude=excluded, earlier=earlier)
    renderers: dict[str, Renderer] = {}

    def renderer_for(language: str) -> Renderer:
        if language not in renderers:
            renderers[language] = Renderer(language, templates)
        return renderers[language]

    if candidates_csv is None:
        renderer = renderer_for(lang)
        prepare_out_dir(output)
        for path in make_kit(bank_, request, output, renderer):
            click.echo(f"wrote {path}")
        return
    requests, bad_rows = read_candidates(candidates_csv, bank_, request)
    for failure in bad_rows:
        click.echo(str(failure), err=True)
    if requests:
        prepare_out_dir(output)
        renderer_for(lang)  # a broken --templates folder stops the batch before its first row
    written, failed = make_batch(bank_, requests, output, renderer_for, candidates_csv,
                                 lambda failure: click.echo(str(failure), err=True))
    for path in written:
        click.echo(f"wrote {path}")
    failures = len(bad_rows) + len(failed)
    if failures:
        total = len(requests) + len(bad_rows)
        raise UserError(f"{failures} of {total} rows failed (listed above); the kits of the other rows were written")


@cli.command("mentor-plan")
@click.option("--level", required=True, metavar="LEVEL", help="ae, am, kam or sam: the new hire's level.")
@click.option("--weeks", type=int, default=12, show_default=True, help="Length of the plan, 4 to 26 weeks.")
@click.option("--mentee", metavar="NAME", help="The new hire's name, printed on the plan.")
@lang_option("Language of the plan.")
@format_option
@templates_option
@bank_option
@_output_option("out/mentor")
def mentor_plan(level: str, weeks: int, mentee: str | None, lang: str, fmt: str, templates: Path | None,
                banks: tuple[Path, ...], output: Path) -> None:
    """Write a senior's mentoring plan for a new hire's first weeks.

    One session a week on one competency (its anchors at 2, 3 and 4, a question to talk through, a
    role-play to drill), and a checkpoint every 4 weeks scored against the level's anchors.

    \b
    Example:
      kamtrain mentor-plan --level am --weeks 12 --mentee "Trần Minh Khoa" -o out/mentor
    """
    from kamtrain.kit import clean_name, prepare_out_dir, write_document
    from kamtrain.mentor import plan_mentoring
    from kamtrain.render import Renderer, require_pdf, slug

    if fmt == "pdf":
        require_pdf()
    bank_ = load(banks)
    plan = plan_mentoring(bank_, level.lower(), weeks)
    name = clean_name(mentee)
    document = Renderer(lang, templates).mentor_plan(bank_, plan, name, fmt)
    who = f"-{slug(name, 'mentee')}" if name else ""
    prepare_out_dir(output)
    click.echo(f"wrote {write_document(output / f'mentor-{plan.level}{who}-{weeks}w.{fmt}', document, fmt)}")


@cli.group()
def scorecard() -> None:
    """Filled scorecards from a panel of interviewers."""


@scorecard.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--level", metavar="LEVEL", help="The level, when the cards (a CSV) do not say it.")
@click.option("--candidate", metavar="NAME", help="The candidate's name, when the cards do not say it.")
@lang_option("Language of the report.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@templates_option
@bank_option
@_output_option("out/scorecards")
def scorecard_merge(files: tuple[Path, ...], level: str | None, candidate: str | None, lang: str, fmt: str,
                    templates: Path | None, banks: tuple[Path, ...], output: Path) -> None:
    """Merge several interviewers' scorecards of one candidate into a panel report.

    FILE is a scorecard YAML written by `kamtrain kit` and filled in, or a CSV with the columns
    interviewer,competency,score,notes (a row with competency `recommendation` holds that
    interviewer's strong_no, no, yes or strong_yes). The report shows every rating, the mean and
    spread per competency, a flag where interviewers differ by 2 or more, the recommendations, and a
    radar chart (SVG) of the candidate against the level's bar.

    \b
    Example:
      kamtrain scorecard merge out/kits/lan-hoa.yaml out/kits/lan-minh.yaml --format html
    """
    from kamtrain.kit import clean_name, prepare_out_dir, write_document
    from kamtrain.render import Renderer, slug
    from kamtrain.scorecard import merge, read_cards

    bank_ = load(banks)
    panel = merge(read_cards(list(files), bank_), bank_, level.lower() if level else None, clean_name(candidate))
    renderer = Renderer(lang, templates)
    stem = f"{panel.level}-{slug(panel.candidate or '', 'candidate')}"
    radar_name = f"radar-{stem}.svg"
    report = renderer.report(bank_, panel, fmt, radar_name)
    radar = renderer.radar(bank_, panel)
    prepare_out_dir(output)
    for path in (write_document(output / f"report-{stem}.{fmt}", report, fmt),
                 write_document(output / radar_name, radar, "svg")):
        click.echo(f"wrote {path}")


def main(prog_name: str | None = None) -> None:
    """Entry point for the console script and `python -m kamtrain`."""
    try:
        cli.main(prog_name=prog_name or "kamtrain")
    except KeyboardInterrupt:
        click.echo("\nInterrupted.", err=True)
        sys.exit(130)
