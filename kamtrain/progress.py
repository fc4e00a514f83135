"""Progress a trainee and their mentor can read: strength per competency, activity, role-play grades.

Everything is computed with SQL aggregates over the history file, without loading the content, so
a report over a team's 100,000 reviews takes a fraction of a second. Days are UTC days.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TextIO

from kamtrain.errors import UserError, did_you_mean
from kamtrain.history import History, iso
from kamtrain.labels import label, labels, section

RECENT_GRADES = 10
ACTIVITY_DAYS = 30
TREND_POINTS = 30
RECENT_SESSIONS = 10


@dataclass(frozen=True)
class CompetencyRow:
    competency: str
    strength: float | None  # 0..1: the mean of each item's latest rating, Again 0 .. Easy 1
    items: int
    reviews: int
    last_30: int
    due_today: int


@dataclass
class Trend:
    """The coach's grades for one role-play item, oldest first."""

    item: str
    count: int = 0
    first: int = 0
    last: int = 0
    recent: list[int] = field(default_factory=list)
    daily: dict[str, list[int]] = field(default_factory=dict)

    def daily_means(self) -> list[tuple[str, float]]:
        days = sorted(self.daily)[-TREND_POINTS:]
        return [(day, sum(self.daily[day]) / len(self.daily[day])) for day in days]


@dataclass(frozen=True)
class SessionRow:
    at: str
    scenario: str
    outcome: str
    grade: int  # the coach's
    turns: int
    transcript: str | None
    mentor_grade: int | None  # the latest mentor's grade, which counts in place of the coach's


@dataclass
class Report:
    user: str
    today: date
    reviews: int
    due_today: int
    streak: int
    last_review: str | None
    competencies: list[CompetencyRow]
    trends: list[Trend]
    sessions: list[SessionRow]
    activity: list[tuple[str, int]]  # (day, reviews) for the last ACTIVITY_DAYS days, oldest first


def users_to_report(history: History, user: str | None, all_users: bool) -> list[str]:
    known = history.users()
    if all_users:
        if not known:
            raise UserError(f"nobody has practised yet in '{history.path}'")
        return known
    assert user is not None
    if user not in known:
        if not known:
            raise UserError(f"nobody has practised yet in '{history.path}'")
        hint = did_you_mean(user, known)
        raise UserError(f"no history for user '{user}' in '{history.path}'{hint}; users here: {', '.join(known)}")
    return [user]


def build_report(history: History, user: str, now: datetime) -> Report:
    """Compute one user's report as of `now`."""
    uid = history.find_user(user)
    if uid is None:
        raise UserError(f"no history for user '{user}' in '{history.path}'")
    today = now.astimezone(timezone.utc).date()
    tomorrow = iso(datetime.combine(today + timedelta(days=1), time(), timezone.utc))
    since_30 = iso(datetime.combine(today - timedelta(days=ACTIVITY_DAYS - 1), time(), timezone.utc))

    counts = {c: (n, recent) for c, n, recent in history.rows(
        "SELECT competency, count(*), sum(at >= ?) FROM reviews WHERE user_id = ? GROUP BY competency",
        (since_30, uid))}
    latest = history.latest_by_competency(uid)
    due = dict(history.rows(
        "SELECT competency, count(*) FROM cards WHERE user_id = ? AND due < ? GROUP BY competency", (uid, tomorrow)))
    rows = []
    for competency in sorted(set(counts) | set(due)):
        items, mean = latest.get(competency, (0, None))
        reviews, recent = counts.get(competency, (0, 0))
        rows.append(CompetencyRow(competency, (mean - 1) / 3 if mean is not None else None, items, reviews,
                                  recent or 0, due.get(competency, 0)))
    rows.sort(key=lambda r: (r.strength if r.strength is not None else -1.0, r.competency))

    total, last_review = history.rows("SELECT count(*), max(at) FROM reviews WHERE user_id = ?", (uid,))[0]
    per_day = dict(history.rows(
        "SELECT substr(at, 1, 10), count(*) FROM reviews WHERE user_id = ? AND at >= ? AND at < ? GROUP BY 1",
        (uid, since_30, tomorrow)))
    activity = [((today - timedelta(days=back)).isoformat(), 0) for back in range(ACTIVITY_DAYS - 1, -1, -1)]
    activity = [(day, int(per_day.get(day, 0))) for day, _ in activity]

    return Report(
        user=user, today=today, reviews=int(total), due_today=sum(r.due_today for r in rows),
        streak=_streak(history, uid, today, tomorrow), last_review=last_review, competencies=rows,
        trends=_trends(history, uid), sessions=_sessions(history, uid), activity=activity,
    )


def _streak(history: History, uid: int, today: date, tomorrow: str) -> int:
    """Consecutive days with a review, ending today (or yesterday, while today is still open)."""
    days = [date.fromisoformat(d) for (d,) in history.rows(
        "SELECT DISTINCT substr(at, 1, 10) FROM reviews WHERE user_id = ? AND at < ? ORDER BY 1 DESC",
        (uid, tomorrow))]
    if not days or days[0] < today - timedelta(days=1):
        return 0
    streak = 1
    for newer, older in zip(days, days[1:], strict=False):
        if newer - older != timedelta(days=1):
            break
        streak += 1
    return streak


def _trends(history: History, uid: int) -> list[Trend]:
    trends: dict[str, Trend] = {}
    for item, grade, day in history.rows(
            "SELECT item, grade, substr(at, 1, 10) FROM reviews"
            " WHERE user_id = ? AND grade IS NOT NULL ORDER BY item, id", (uid,)):
        trend = trends.get(item)
        if trend is None:
            trend = trends[item] = Trend(item, first=grade)
        trend.count += 1
        trend.last = grade
        trend.recent.append(grade)
        if len(trend.recent) > RECENT_GRADES:
            del trend.recent[0]
        trend.daily.setdefault(day, []).append(grade)
    return list(trends.values())


def _sessions(history: History, uid: int) -> list[SessionRow]:
    return [SessionRow(*row) for row in history.rows(
        "SELECT at, scenario, outcome, grade, turns, transcript,"
        " (SELECT m.grade FROM mentor_grades m WHERE m.session_id = s.id ORDER BY m.id DESC LIMIT 1)"
        " FROM roleplay_sessions s WHERE user_id = ? ORDER BY id DESC LIMIT ?", (uid, RECENT_SESSIONS))]


# -- text ------------------------------------------------------------------------------------

def _percent(strength: float | None) -> str:
    return "-" if strength is None else f"{round(strength * 100)}%"


def _bar(strength: float | None, width: int = 10) -> str:
    filled = 0 if strength is None else round(strength * width)
    return "#" * filled + "." * (width - filled)


def _table(header: list[str], rows: Iterable[list[str]], right: set[int]) -> list[str]:
    body = [header, *rows]
    widths = [max(len(r[i]) for r in body) for i in range(len(header))]
    return ["  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                      for i, cell in enumerate(row)).rstrip() for row in body]


def render_text(reports: list[Report], lang: str, names: Mapping[str, str]) -> str:
    """The report as plain text; `names` gives each competency id its name in `lang`."""
    out: list[str] = []
    for report in reports:
        if out:
            out.append("")
        out.extend(_text_one(report, lang, names))
    return "\n".join(out) + "\n"


def _text_one(report: Report, lang: str, names: Mapping[str, str]) -> list[str]:
    def t(key: str, **values: Any) -> str:
        return label("progress", key, lang, **values)

    out = [f"{t('of_user', user=report.user)} · {t('as_of', date=report.today.isoformat())}",
           t("summary", reviews=report.reviews, due=report.due_today, streak=report.streak)]
    if report.last_review:
        out.append(f"{t('last_review')}: {report.last_review[:16].replace('T', ' ')}")
    if not report.reviews:
        out.append(t("none_yet"))
    if report.competencies:
        out += ["", t("competencies")]
        out += _table(
            [t("competency"), t("strength"), "", t("items_count"), t("reviews"), t("last_30"), t("due_today")],
            ([names.get(r.competency, r.competency), _percent(r.strength), _bar(r.strength), str(r.items),
              str(r.reviews), str(r.last_30), str(r.due_today)] for r in report.competencies),
            right={1, 3, 4, 5, 6})
        out.append(t("strength_note"))
    out += ["", t("roleplay")]
    if report.trends:
        out += _table([t("scenario"), t("sessions"), t("first_last"), t("recent")],
                      ([tr.item, str(tr.count), f"{tr.first} → {tr.last}", " ".join(map(str, tr.recent))]
                       for tr in report.trends), right={1})
    else:
        out.append(t("no_roleplay"))
    return out


# -- html ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


def strength_bars(rows: list[CompetencyRow], names: Mapping[str, str], width: float = 320) -> list[Bar]:
    return [Bar(0, i * 24, round((r.strength or 0) * width, 1), 18, names.get(r.competency, r.competency),
                _percent(r.strength))
            for i, r in enumerate(rows)]


def activity_bars(activity: list[tuple[str, int]], height: float = 100) -> list[Bar]:
    top = max((n for _, n in activity), default=0) or 1
    return [Bar(i * 16, round(height - n / top * height, 1), 12, round(n / top * height, 1), day, str(n))
            for i, (day, n) in enumerate(activity)]


def trend_points(trend: Trend, width: float = 300, height: float = 60) -> list[tuple[float, float, str, str]]:
    """(x, y, day, mean) for a grade line: grade 5 at the top, 1 at the bottom."""
    means = trend.daily_means()
    step = width / max(len(means) - 1, 1)
    return [(round(i * step, 1), round((5 - mean) / 4 * height, 1), day, f"{mean:.1f}")
            for i, (day, mean) in enumerate(means)]


def render_html(reports: list[Report], lang: str, db: str, names: Mapping[str, str]) -> str:
    """The report as one HTML page with charts; `names` gives each competency id its name in `lang`."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("kamtrain", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("progress/report.html.j2")
    views = [{
        "report": report,
        "strength_bars": strength_bars(report.competencies, names),
        "activity_bars": activity_bars(report.activity),
        "activity_top": max((n for _, n in report.activity), default=0),
        "trends": [(trend, " ".join(f"{x},{y}" for x, y, _, _ in points), points)
                   for trend in report.trends for points in [trend_points(trend)]],
        "heading": (f"{label('progress', 'of_user', lang, user=report.user)} · "
                    f"{label('progress', 'as_of', lang, date=report.today.isoformat())}"),
        "summary": label("progress", "summary", lang, reviews=report.reviews, due=report.due_today,
                         streak=report.streak),
        "percent": {r.competency: _percent(r.strength) for r in report.competencies},
    } for report in reports]
    return template.render(lang=lang, t=section("progress", lang), outcomes=labels("progress", "outcomes", lang),
                           views=views, names=names, generated=label("progress", "generated", lang, db=db))


# -- csv -------------------------------------------------------------------------------------

CSV_COLUMNS = ["user", "at", "kind", "item", "competency", "level", "lang", "source", "rating", "rating_name",
               "grade", "answer", "outcome", "transcript"]
_RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def write_csv(history: History, users: list[str], out: TextIO) -> int:
    """Every review of `users`, oldest first, one row each; return the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    marks = ",".join("?" * len(users))
    written = 0
    with history.guard():
        cursor = history.conn.execute(
            "SELECT u.name, r.at, r.kind, r.item, r.competency, r.level, r.lang, r.source, r.rating, r.grade,"
            " r.answer, s.outcome, s.transcript"
            " FROM reviews r JOIN users u ON u.id = r.user_id LEFT JOIN roleplay_sessions s ON s.id = r.session_id"
            f" WHERE u.name IN ({marks}) ORDER BY r.id", users)
        while batch := cursor.fetchmany(5000):
            for (name, at, kind, item, competency, level, lang, source, rating, grade, answer, outcome,
                 transcript) in batch:
                writer.writerow([name, at, kind, item, competency, level or "", lang, source, rating,
                                 _RATING_NAMES.get(rating, ""), "" if grade is None else grade, answer,
                                 outcome or "", transcript or ""])
            written += len(batch)
    return written
