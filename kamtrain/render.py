"""Rendering kits, practice sheets, mentor plans and scorecard reports with Jinja.

Templates live in kamtrain/templates/kit/ (`<name>.<format>.j2`); an organisation's own templates
(`--templates DIR`) override them by file name and run in Jinja's sandbox. Templates see plain
dicts and strings in one language, built here from the model, and the labels of labels.yaml as `t`.
HTML and SVG are autoescaped; in Markdown every value has `<`, `>` and `|` escaped, so a value
from a user (a candidate's name, a CSV field, an organisation's bank) prints as text everywhere.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from kamtrain.errors import ContentInvalid, Problem, UserError
from kamtrain.model import Bank, Competency, Question
from kamtrain.resources import in_language, is_text, package_yaml
from kamtrain.text import plain

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "kit"
# A template that loops without end stops here instead of filling the disk.
MAX_OUTPUT_CHARS = 20_000_000
PDF_MISSING = "PDF output needs the pdf extra: pip install 'kamtrain[pdf]'"


def render_format(fmt: str) -> str:
    """The template format behind an output format: a PDF is rendered from the HTML."""
    return "html" if fmt == "pdf" else fmt


class Renderer:
    """Renders documents in one language, from the built-in templates or an organisation's own."""

    def __init__(self, lang: str, templates: Path | None = None):
        if templates is not None and not templates.is_dir():
            raise UserError(f"templates folder '{templates}' does not exist")
        self.lang = lang
        self.templates = templates.resolve() if templates is not None else None
        self.t = labels(lang, self.templates)

    def render(self, name: str, **context: Any) -> str:
        """Render template `name` (e.g. 'kit.html.j2'); template errors become `file:line` problems."""
        env = _environment(_format_of(name), self.templates)
        try:
            template = env.get_template(name)
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(t=self.t, lang=self.lang, **context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise ContentInvalid([Problem(Path(template.filename or name), None,
                                                  f"output exceeds {MAX_OUTPUT_CHARS:,} characters; "
                                                  "does a loop never end?")])
                chunks.append(chunk)
        except jinja2.TemplateSyntaxError as err:
            where = Path(err.filename) if err.filename else self._path_of(name)
            raise ContentInvalid([Problem(where, err.lineno, f"template syntax error: {err.message}")]) from None
        except jinja2.TemplateNotFound as err:
            raise ContentInvalid([Problem(self._path_of(name), None, f"template '{err.name}' not found")]) from None
        except ContentInvalid:
            raise
        except Exception as err:  # whatever a template does wrong, reported where it happened
            path, line = _template_frame(err, name, self._search_path())
            raise ContentInvalid([Problem(path, line, _describe_template_error(err))]) from None
        return "".join(chunks)

    def _search_path(self) -> list[Path]:
        return ([self.templates] if self.templates else []) + [TEMPLATE_DIR]

    def _path_of(self, name: str) -> Path:
        for folder in self._search_path():
            if (folder / name).is_file():
                return folder / name
        return (self.templates or TEMPLATE_DIR) / name

    # The documents. Each builds its view of the model and renders one template.

    def kit(self, bank: Bank, selection: Any, candidate: str | None, fmt: str, scorecard_file: str,
            earlier: Any = None, follow_up: Mapping[str, str] | None = None) -> str:
        """The interviewer's kit; with `earlier` (a panel of filled scorecards from the rounds before) it
        shows what they found and marks the competencies this round follows up, with `follow_up`'s reason."""
        follow_up = follow_up or {}
        view = kit_view(bank, selection, candidate, self.lang, self.t)
        view["earlier"] = None
        if earlier is not None:
            view["earlier"] = earlier_view(bank, earlier, follow_up, self.lang, self.t)
            # What an earlier round assessed is not missing, even if this round does not ask about it.
            view["uncovered"] = [bank.competencies[cid].name[self.lang] for cid in selection.uncovered
                                 if cid in follow_up]
        reasons = self.t["kit"]["follow_up_reasons"]
        for question in view["questions"]:
            reason = follow_up.get(question["competency"]["id"])
            question["follow_up"] = reasons[reason] if reason else None
        return self.render(f"kit.{render_format(fmt)}.j2", kit=view, scorecard_file=scorecard_file)

    def practice(self, bank: Bank, selection: Any, candidate: str | None, fmt: str) -> str:
        view = kit_view(bank, selection, candidate, self.lang, self.t)
        return self.render(f"practice.{render_format(fmt)}.j2", kit=view)

    def scorecard_file(self, bank: Bank, selection: Any, candidate: str | None, file_name: str) -> str:
        view = kit_view(bank, selection, candidate, self.lang, self.t)
        return self.render("scorecard.yaml.j2", kit=view, file_name=file_name)

    def mentor_plan(self, bank: Bank, plan: Any, mentee: str | None, fmt: str) -> str:
        view = mentor_view(bank, plan, mentee, self.lang, self.t)
        return self.render(f"mentor.{render_format(fmt)}.j2", plan=view)

    def radar(self, bank: Bank, panel: Any) -> str:
        return self.render("radar.svg.j2", radar=radar_view(bank, panel, self.lang, self.t))

    def report(self, bank: Bank, panel: Any, fmt: str, radar_file: str) -> str:
        view = report_view(bank, panel, self.lang, self.t)
        radar_svg = Markup(self.radar(bank, panel)) if render_format(fmt) == "html" else ""
        return self.render(f"report.{render_format(fmt)}.j2", report=view, radar_file=radar_file,
                           radar_svg=radar_svg)


def require_pdf() -> None:
    """Fail early, with the install command, when the PDF libraries are missing."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the Python package is there but Pango is not
        raise UserError(PDF_MISSING) from None


def write_pdf(html: str, path: Path) -> None:
    """Print rendered HTML to a PDF file (A4, as the print CSS asks)."""
    try:
        import weasyprint
    except (ImportError, OSError):
        raise UserError(PDF_MISSING) from None
    weasyprint.HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))


# Labels


def labels(lang: str, templates: Path | None = None) -> dict[str, Any]:
    """labels.yaml in `lang`: {vi, en} leaves become strings; an organisation's file overrides keys."""
    return _labels(lang, templates)


@lru_cache(maxsize=8)
def _labels(lang: str, templates: Path | None) -> dict[str, Any]:
    from kamtrain.yamlfile import ProblemError, read_yaml

    merged: dict[str, Any] = _builtin_labels()
    own = templates / "labels.yaml" if templates else None
    if own is not None and own.is_file():
        try:
            doc = read_yaml(own)  # an organisation's file: bounded, and errors carry their line
        except ProblemError as err:
            raise ContentInvalid([err.problem]) from None
        if not isinstance(doc.data, dict):
            raise ContentInvalid([Problem(own, 1, "expected a mapping of labels")])
        problems: list[Problem] = []
        _deep_update(merged, doc.data, lambda loc, message: problems.append(Problem(own, doc.line_of(loc), message)))
        if problems:
            raise ContentInvalid(problems)
    return in_language(merged, lang)


def _builtin_labels() -> dict[str, Any]:
    # A copy: an organisation's labels are laid over it.
    labels: dict[str, Any] = copy.deepcopy(package_yaml("templates/kit/labels.yaml"))
    return labels

def _deep_update(into: dict[str, Any], data: dict[str, Any], report: Callable[[tuple[Any, ...], str], None],
                 loc: tuple[Any, ...] = ()) -> None:
    """Lay an organisation's labels over the built-in ones; a label of the wrong shape is reported."""
    for key, value in data.items():
        here = loc + (key,)
        builtin = into.get(key)
        if builtin is not None and _shape(value) != _shape(builtin):
            name = ".".join(str(part) for part in here)
            report(here, f"label '{name}' must be {_shape(builtin)}, like the built-in one")
        elif isinstance(value, dict) and isinstance(builtin, dict) and not is_text(value):
            _deep_update(builtin, value, report, here)
        else:
            into[key] = value


def _shape(value: Any) -> str:
    if is_text(value):
        return "a text with vi and en"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a plain value"




# The Jinja environments


def _format_of(name: str) -> str:
    stem = name.removesuffix(".j2")
    return stem.rsplit(".", 1)[-1] if "." in stem else "txt"


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs; a cache that cannot be written is simply not used."""

    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    from kamtrain.paths import cache_dir

    folder = cache_dir() / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietCache(str(folder))


@lru_cache(maxsize=16)
def _environment(fmt: str, templates: Path | None) -> jinja2.Environment:
    search = ([str(templates)] if templates else []) + [str(TEMPLATE_DIR)]
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(search),
        "bytecode_cache": _bytecode_cache(),
        "undefined": jinja2.StrictUndefined,
        "autoescape": fmt in ("html", "svg"),
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if fmt == "md":
        options["finalize"] = _escape_md
    env = SandboxedEnvironment(**options) if templates else jinja2.Environment(**options)
    env.filters.update(fmt=_fill, hm=_hours_minutes, css_string=_css_string, yaml_str=_yaml_str, slug=slug,
                       oneline=_one_line)
    return env


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, **values: Any) -> str:
    """'{name}' placeholders filled from `values`; no attribute access, unlike str.format."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), str(text))


def _hours_minutes(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-_/()" else f"\\{ord(ch):x} " for ch in str(text))
    return Markup(f'"{escaped}"')


def _yaml_str(value: Any) -> str:
    """A double-quoted YAML scalar (JSON's escapes are YAML's)."""
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


# '<' and '>' would let a value open raw HTML; '|' would break a table; '[' and ']' would make a link.
_MD_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "|": "\\|", "[": "\\[", "]": "\\]"})


def _escape_md(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return value.replace("\r", " ").replace("\n", " ").translate(_MD_ESCAPES)


def _template_frame(err: BaseException, name: str, search: list[Path]) -> tuple[Path, int | None]:
    """The template file and line where `err` was raised (Jinja puts template lines in the traceback)."""
    folders = [str(folder) for folder in search]
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith(".j2") and any(frame.filename.startswith(f) for f in folders):
            return Path(frame.filename), frame.lineno
    for folder in search:
        if (folder / name).is_file():
            return folder / name, None
    return search[0] / name, None


def _describe_template_error(err: BaseException) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return f"undefined value: {err.message}"
    if isinstance(err, jinja2.exceptions.SecurityError):
        return f"not allowed in a template: {err}"
    return f"{type(err).__name__}: {err}"




def slug(text: str, fallback: str = "") -> str:
    """'Nguyễn Thị Lan' -> 'nguyen-thi-lan': a file-name part with Vietnamese folded to ASCII."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", plain(str(text))).strip("-")
    return cleaned[:60].strip("-") or fallback


# Views: the model in one language, as the templates see it


def _anchors(competency: Competency, level: str, lang: str) -> list[dict[str, Any]]:
    rubric = competency.rubric.get(level)  # type: ignore[call-overload]
    if rubric is None:
        return []
    return [{"score": score, "text": rubric[score][lang]} for score in sorted(rubric)]


def _competency_view(competency: Competency, level: str, lang: str, t: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": competency.id,
        "name": competency.name[lang],
        "description": competency.description[lang],
        "group": competency.group,
        "group_label": t["groups"][competency.group],
        "anchors": _anchors(competency, level, lang),
    }


def _question_view(question: Question, number: int, start: int, bank: Bank, level: str, lang: str,
                   t: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": number,
        "id": question.id,
        "kind": question.kind,
        "kind_label": t["kinds"][question.kind],
        "competency": _competency_view(bank.competencies[question.competency], level, lang, t),
        "minutes": question.minutes,
        "start": start,
        "end": start + question.minutes,
        "text": question.text[lang],
        "reveals": question.reveals[lang],
        "probes": [p[lang] for p in question.probes],
        "signals": [s[lang] for s in question.signals],
        "red_flags": [r[lang] for r in question.red_flags],
        "outline": [o[lang] for o in question.outline],
        "tags": list(question.tags),
    }


def _level_view(bank: Bank, level: str, lang: str) -> dict[str, Any]:
    profile = bank.levels[level]
    return {
        "id": level,
        "code": level.upper(),
        "name": profile.name[lang],
        "scope": profile.scope[lang],
        "duties": [d[lang] for d in profile.duties],
        "kpis": [k[lang] for k in profile.kpis],
        "portfolio": profile.portfolio[lang],
    }


def kit_view(bank: Bank, selection: Any, candidate: str | None, lang: str, t: dict[str, Any]) -> dict[str, Any]:
    """Everything a kit, practice sheet or scorecard file shows, in `lang`."""
    from kamtrain.select import closing_minutes, opening_minutes

    level = selection.level
    opening, closing = opening_minutes(), closing_minutes()
    questions = []
    clock = opening
    for number, question in enumerate(selection.questions, start=1):
        questions.append(_question_view(question, number, clock, bank, level, lang, t))
        clock += question.minutes
    agenda = [{"part": "opening", "title": t["kit"]["opening"], "detail": t["kit"]["opening_detail"],
               "start": 0, "end": opening, "minutes": opening, "number": None}]
    for q in questions:
        agenda.append({"part": "question", "title": f"{q['competency']['name']} ({q['kind_label']})",
                       "detail": q["text"], "start": q["start"], "end": q["end"], "minutes": q["minutes"],
                       "number": q["number"]})
    agenda.append({"part": "closing", "title": t["kit"]["closing"], "detail": t["kit"]["closing_detail"],
                   "start": clock, "end": clock + closing, "minutes": closing, "number": None})
    scorecard = []
    for cid in selection.competencies:
        view = _competency_view(bank.competencies[cid], level, lang, t)
        view["questions"] = [q["number"] for q in questions if q["competency"]["id"] == cid]
        scorecard.append(view)
    return {
        "candidate": candidate,
        "level": _level_view(bank, level, lang),
        "round": selection.round,
        "seed": selection.seed,
        "budget": selection.budget,
        "total_minutes": selection.total_minutes,
        "agenda": agenda,
        "questions": questions,
        "scorecard": scorecard,
        "uncovered": [bank.competencies[cid].name[lang] for cid in selection.uncovered],
        "verdicts": [{"id": key, "label": label} for key, label in t["scorecard"]["verdicts"].items()],
    }


def mentor_view(bank: Bank, plan: Any, mentee: str | None, lang: str, t: dict[str, Any]) -> dict[str, Any]:
    """A mentor plan in `lang`: weeks with their focus, question, drill and checkpoint."""
    level = plan.level
    weeks = []
    for week in plan.weeks:
        competency = bank.competencies[week.competency]
        anchors = {a["score"]: a["text"] for a in _anchors(competency, level, lang)}
        question = (_question_view(week.question, 1, 0, bank, level, lang, t) if week.question else None)
        scenario = bank.scenarios[week.scenario] if week.scenario else None
        weeks.append({
            "number": week.number,
            "competency": _competency_view(competency, level, lang, t),
            "repeat": week.repeat,
            "now": anchors.get(2, ""),
            "bar": anchors.get(3, ""),
            "stretch": anchors.get(4, ""),
            "question": question,
            "scenario": ({"id": scenario.id, "title": scenario.title[lang], "situation": scenario.situation[lang],
                          "command": f"kamtrain roleplay run {scenario.id} --lang {lang}"} if scenario else None),
            "checkpoint": ([_competency_view(bank.competencies[cid], level, lang, t) for cid in week.checkpoint]
                           if week.checkpoint else []),
        })
    return {
        "mentee": mentee,
        "level": _level_view(bank, level, lang),
        "weeks_count": len(plan.weeks),
        "session_minutes": plan.session_minutes,
        "weeks": weeks,
        "not_in_plan": [bank.competencies[cid].name[lang] for cid in plan.not_in_plan],
    }


def report_view(bank: Bank, panel: Any, lang: str, t: dict[str, Any]) -> dict[str, Any]:
    """A merged panel of scorecards in `lang`."""
    level = panel.level
    rows = []
    for row in panel.rows:
        competency = bank.competencies.get(row.competency)
        anchors = {a["score"]: a["text"] for a in _anchors(competency, level, lang)} if competency else {}
        given = sorted({s for s in row.scores.values() if s is not None})
        rows.append({
            "id": row.competency,
            "name": _competency_name(bank, row.competency, lang),
            "scores": [row.scores.get(name) for name in panel.interviewers],
            "notes": [{"interviewer": name, "text": note} for name, note in row.notes.items() if note],
            "mean": None if row.mean is None else f"{row.mean:.1f}",
            "spread": row.spread,
            "calibrate": row.calibrate,
            "anchors": [{"score": s, "text": anchors.get(s, "")} for s in given],
        })
    verdict_labels = t["scorecard"]["verdicts"]
    return {
        "candidate": panel.candidate,
        "level": _level_view(bank, level, lang),
        "interviewers": panel.interviewers,
        "rows": rows,
        "calibrate": [r for r in rows if r["calibrate"]],
        "gaps": [r["name"] for r in rows if r["mean"] is None],
        "verdicts": [{"interviewer": name, "id": v, "label": verdict_labels[v],
                      "notes": panel.overall_notes.get(name, "")} for name, v in panel.verdicts.items()],
        "noted": [r for r in rows if r["notes"]],
        "panel": t["report"]["panel_" + panel.outcome],
        "bar": panel.bar,
    }


def earlier_view(bank: Bank, panel: Any, follow_up: Mapping[str, str], lang: str, t: dict[str, Any]
                 ) -> dict[str, Any]:
    """The earlier rounds' panel as the next interviewer needs it: every rating, and what to follow up."""
    view = report_view(bank, panel, lang, t)
    reasons = t["kit"]["follow_up_reasons"]
    for row in view["rows"]:
        row["follow_up"] = reasons[follow_up[row["id"]]] if row["id"] in follow_up else None
    rated = {row["id"] for row in view["rows"]}
    view["unrated"] = [_competency_name(bank, cid, lang) for cid, reason in follow_up.items()
                       if reason == "no_evidence" and cid not in rated]
    return view


def _competency_name(bank: Bank, cid: str, lang: str) -> str:
    competency = bank.competencies.get(cid)
    return competency.name[lang] if competency else cid


def radar_view(bank: Bank, panel: Any, lang: str, t: dict[str, Any]) -> dict[str, Any]:
    """Geometry of the radar chart: rings 1-5, one axis per competency, the candidate and the bar."""
    width, height, radius = 760, 600, 170
    cx, cy = width / 2, height / 2 + 10
    count = max(len(panel.rows), 1)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * value / 5
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    def polygon(values: Iterable[float]) -> str:
        return " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values)))

    axes = []
    for index, row in enumerate(panel.rows):
        x, y = point(index, 5)
        lx, ly = point(index, 5.55)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = _wrap(_competency_name(bank, row.competency, lang), 24)
        if ly < cy - 10:
            ly -= 14 * (len(lines) - 1)  # labels above the centre grow upwards
        elif abs(ly - cy) <= 10:
            ly -= 7 * (len(lines) - 1)
        else:
            ly += 8
        mean = row.mean
        axes.append({"x": x, "y": y, "label_x": lx, "label_y": ly, "anchor": anchor, "lines": lines,
                     "value": "–" if mean is None else f"{mean:.1f}", "rated": mean is not None})
    means = [row.mean or 0.0 for row in panel.rows]
    return {
        "width": width,
        "height": height,
        "cx": cx,
        "cy": cy,
        "rings": [{"value": v, "points": polygon([v] * count), "label_y": round(cy - radius * v / 5 - 2, 1)}
                  for v in range(1, 6)],
        "axes": axes,
        "candidate": polygon(means),
        "dots": [{"x": point(i, m)[0], "y": point(i, m)[1]} for i, m in enumerate(means)],
        "bar": polygon([panel.bar] * count),
        "title": t["report"]["radar"],
        "legend_candidate": t["report"]["radar_candidate"],
        "legend_bar": t["report"]["radar_bar"],
    }


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
