"""Practice with spaced repetition and the progress report, driven as a user would: real processes, piped stdin."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kamtrain.bank import load_bank
from kamtrain.errors import UserError
from kamtrain.history import open_history
from kamtrain.model import Bank
from kamtrain.practice import (
    GRADE_TO_RATING,
    Item,
    Practice,
    candidates,
    pick,
    rebuilder,
    record_roleplay,
    require_scheduler,
    rescheduler,
)
from kamtrain.roleplay.session import Session
from kamtrain.roleplay.terminal import Printer
from tests.conftest import invoke

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
STAMP = "2026-01-05T09:00"
HEADER = re.compile(r"^== Item (\d+)/(\d+) · (\S+) · .* · (new|due) ==$", re.M)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def _env(tmp_path: Path, db: Path, user: str = "an") -> dict[str, str]:
    return {**os.environ, "KAMTRAIN_DATA_DIR": str(tmp_path / "data"), "KAMTRAIN_DB": str(db),
            "KAMTRAIN_USER": user, "NO_COLOR": "1"}


def _practice_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kamtrain", "practice", "--lang", "en", *args]


def _practice(tmp_path: Path, db: Path, stdin: str, *args: str, user: str = "an") -> subprocess.CompletedProcess[str]:
    return subprocess.run(_practice_cmd(*args), input=stdin, capture_output=True, text=True,
                          env=_env(tmp_path, db, user), timeout=120)


def _plan(bank: Bank, db: Path, user: str, count: int, now: datetime = NOW, competency: str | None = None
          ) -> list[Item]:
    """The items `kamtrain practice` will serve, worked out with the same functions."""
    with open_history(db) as history:
        return pick(history, user, candidates(bank, None, competency), now, count)


def _most_self_rated(bank: Bank) -> str:
    """The competency with the most questions the user rates (not the coach)."""
    counts: dict[str, int] = {}
    for question in bank.questions.values():
        if question.kind != "roleplay":
            counts[question.competency] = counts.get(question.competency, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c])


def _answers(items: list[Item], ratings: str) -> str:
    """Stdin for items: coach-rated ones get an empty reply (Again); the others an answer and a rating."""
    lines: list[str] = []
    rating = iter(ratings)
    for item in items:
        if item.coached:
            lines.append("")
        else:
            lines += ["I would ask about the budget first.", next(rating)]
    return "\n".join(lines) + "\n"


def _reviews(db: Path, user: str = "an") -> list[tuple[str, str, int, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT r.kind, r.item, r.rating, r.answer FROM reviews r JOIN users u ON u.id = r.user_id"
                            " WHERE u.name = ? ORDER BY r.id", (user,)).fetchall()
    finally:
        conn.close()


def test_the_coach_grade_maps_to_a_rating_as_help_says() -> None:
    assert GRADE_TO_RATING == {1: 1, 2: 2, 3: 3, 4: 3, 5: 4}
    assert "grade 1 -> Again, 2 -> Hard, 3 or 4 -> Good, 5 -> Easy" in invoke("practice", "--help").stdout


def test_a_piped_session_shows_the_answer_key_and_saves_every_review(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    items = _plan(bank, db, "an", 4)
    done = _practice(tmp_path, db, _answers(items, "gggg"), "--count", "4", "--now", STAMP)
    assert done.returncode == 0, done.stderr
    assert [m.group(3) for m in HEADER.finditer(done.stdout)] == [i.id for i in items]
    first_question = next(i.entry for i in items if i.kind == "question")
    assert first_question.text.en in done.stdout
    assert first_question.outline[0].en in done.stdout
    assert first_question.red_flags[0].en in done.stdout
    assert f"Done: 4 review(s) saved to {db}." in done.stdout
    saved = _reviews(db)
    assert [(kind, item) for kind, item, _, _ in saved] == [(i.kind, i.id) for i in items]
    assert all(rating == (1 if item.coached else 3) for (_, _, rating, _), item in zip(saved, items, strict=True))


def test_due_items_come_first_on_the_next_run(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    competency = _most_self_rated(bank)
    first_items = _plan(bank, db, "an", 6, competency=competency)
    ratings = "aeaeae"  # self-rated: Again, Easy, ...; coach-rated with no reply: Again
    done = _practice(tmp_path, db, _answers(first_items, ratings), "--count", "6", "--now", STAMP,
                     "--competency", competency)
    assert done.returncode == 0, done.stderr
    again = [i.id for i, (_, _, rating, _) in zip(first_items, _reviews(db), strict=True) if rating == 1]
    easy = {i.id for i, (_, _, rating, _) in zip(first_items, _reviews(db), strict=True) if rating == 4}
    assert again and easy, "the plan needs at least one Again and one Easy item"

    later = NOW + timedelta(hours=1)
    second_items = _plan(bank, db, "an", 6, later, competency)
    done = _practice(tmp_path, db, _answers(second_items, "gggggg"), "--count", "6", "--now", later.isoformat(),
                     "--competency", competency)
    assert done.returncode == 0, done.stderr
    served = [(m.group(3), m.group(4)) for m in HEADER.finditer(done.stdout)]
    assert [item for item, _ in served[:len(again)]] == sorted(again, key=lambda i: (
        next(x.kind for x in first_items if x.id == i), i))
    assert all(state == "due" for _, state in served[:len(again)])
    assert all(state == "new" for _, state in served[len(again):])
    assert not easy & {item for item, _ in served}, "an Easy item is not due an hour later"


def test_eof_mid_session_keeps_the_completed_reviews(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    items = _plan(bank, db, "an", 3)
    stdin = _answers(items[:1], "g") + ("half an answer\n" if not items[1].coached else "")
    done = _practice(tmp_path, db, stdin, "--count", "3", "--now", STAMP)
    assert done.returncode == 0
    assert "Traceback" not in done.stderr
    assert f"Stopped: 1 review(s) saved to {db}." in done.stdout
    assert len(_reviews(db)) == 1


def test_a_session_left_before_any_review_adds_no_user(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    done = _practice(tmp_path, db, "", "--count", "3", "--now", STAMP, user="visitor")
    assert done.returncode == 0, done.stderr
    with open_history(db) as history:
        assert history.users() == []


def test_ctrl_c_keeps_the_completed_reviews_and_exits_130(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    items = _plan(bank, db, "an", 3)
    proc = subprocess.Popen(_practice_cmd("--count", "3", "--now", STAMP), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path, db))
    assert proc.stdin is not None
    proc.stdin.write(_answers(items[:1], "g"))
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_reviews(db)) < 1:
        time.sleep(0.05)
    time.sleep(0.2)  # let it reach the next read
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert f"Stopped: 1 review(s) saved to {db}." in out
    assert len(_reviews(db)) == 1


def test_two_processes_practising_at_once_on_one_file_lose_no_rows(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "team.db"
    open_history(db).close()
    count = 12
    plans = {user: _plan(bank, db, user, count) for user in ("an", "binh")}
    procs = {user: subprocess.Popen(_practice_cmd("--count", str(count), "--now", STAMP), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=_env(tmp_path, db, user)) for user in plans}
    # Both load the bank first; then they get all their answers at once and write side by side.
    results = {}
    for user, proc in procs.items():
        assert proc.stdin is not None
        proc.stdin.write(_answers(plans[user], "aghe" * count))
        proc.stdin.close()
    for user, proc in procs.items():
        assert proc.stdout is not None and proc.stderr is not None
        results[user] = (proc.wait(timeout=120), proc.stdout.read(), proc.stderr.read())
    for user, (code, out, err) in results.items():
        assert code == 0, err
        assert f"Done: {count} review(s)" in out
        assert len(_reviews(db, user)) == count


def _run_items(db: Path, items: list[Item], lines: list[str]) -> str:
    """Run the practice loop in-process on chosen items; return what it printed."""
    out = io.StringIO()
    feed = iter(lines)
    with open_history(db) as history:
        code = Practice(history, "an", "en", None, Printer(out), lambda: next(feed, None), lambda: NOW).run(items)
    assert code == 0
    return out.getvalue()


def test_an_invalid_rating_is_asked_again(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    question = next(q for q in bank.questions.values() if q.kind != "roleplay")
    out = _run_items(db, [Item("question", question)], ["my answer", "maybe", "5", "good"])
    assert "'maybe' is not a rating" in out
    assert "'5' is not a rating" in out
    assert _reviews(db) == [("question", question.id, 3, "my answer")]


def test_an_empty_answer_means_i_just_thought_about_it(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    question = next(q for q in bank.questions.values() if q.kind != "roleplay")
    out = _run_items(db, [Item("question", question)], ["", "e"])
    assert question.outline[0].en in out
    assert _reviews(db) == [("question", question.id, 4, "")]


def test_the_coach_rates_a_scenario_from_the_reply(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    scenario = bank.scenarios["too-expensive"]
    out = _run_items(db, [Item("scenario", scenario)], [scenario.model_reply.en])
    assert "The coach's grade: " in out
    assert scenario.model_reply.en in out
    kind, item, rating, answer = _reviews(db)[0]
    assert (kind, item, answer) == ("scenario", "too-expensive", scenario.model_reply.en)
    assert rating >= 3  # the model reply grades 4 or 5: Good or Easy


def test_a_roleplay_question_is_rated_by_the_coach(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    question = next(q for q in bank.questions.values() if q.kind == "roleplay")
    out = _run_items(db, [Item("question", question)], ["Sure, I'll give you 10% off."])
    assert "Rate yourself" not in out
    assert "discount" in out
    assert _reviews(db)[0][2] in (1, 2)  # a bare discount grades 1 or 2


def test_an_unknown_competency_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    result = invoke("practice", "--competency", "negotation", "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown competency 'negotation' (did you mean 'negotiation'?)")


def test_practice_without_fsrs_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsrs", None)
    with pytest.raises(UserError, match=r"pip install 'kamtrain\[practice\]'"):
        require_scheduler()


def test_nothing_due_says_when_the_next_review_is(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    competency = bank.scenarios["too-expensive"].competency
    pool = candidates(bank, None, competency)
    with open_history(db) as history:
        for item in pool:
            history.record_review("an", kind=item.kind, item=item.id, competency=item.competency, lang="en",
                                  rating=4, at=NOW, reschedule=rescheduler(item.kind, item.id, 4, NOW))
    result = invoke("practice", "--lang", "en", "--competency", competency, "--db", str(db), "--user", "an",
                    "--now", STAMP)
    assert result.exit_code == 0
    assert result.stdout.startswith("Nothing is due. Next review in ")


# -- role-play runs go into the same history -------------------------------------------------

def test_a_roleplay_run_is_recorded_in_the_history(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "h.db"
    transcript = tmp_path / "t.jsonl"
    reply = "I hear you, the gap looks big. Could you tell me what the other quote includes?"
    done = subprocess.run([sys.executable, "-m", "kamtrain", "roleplay", "run", "too-expensive", "--lang", "en",
                           "--transcript", str(transcript), "--db", str(db)], input=reply + "\n",
                          capture_output=True, text=True, env=_env(tmp_path, tmp_path / "unused.db"), timeout=120)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db)
    try:
        session = conn.execute("SELECT u.name, s.scenario, s.outcome, s.turns, s.transcript, s.grade"
                               " FROM roleplay_sessions s JOIN users u ON u.id = s.user_id").fetchall()
        review = conn.execute("SELECT kind, item, source, grade, rating, answer FROM reviews").fetchall()
        cards = conn.execute("SELECT kind, item FROM cards").fetchall()
    finally:
        conn.close()
    assert session == [("an", "too-expensive", "quit", 1, str(transcript), session[0][5])]
    grade = session[0][5]
    assert review == [("scenario", "too-expensive", "roleplay", grade, GRADE_TO_RATING[grade], reply)]
    assert cards == [("scenario", "too-expensive")]
    assert not (tmp_path / "unused.db").exists(), "--db wins over $KAMTRAIN_DB"


def test_a_roleplay_without_a_reply_is_kept_as_a_session_only(tmp_path: Path, bank: Bank) -> None:
    with open_history(tmp_path / "h.db") as history:
        session = Session(bank.scenarios["no-need"], "vi")
        session.quit()
        record_roleplay(history, "an", session, None, NOW)
        assert history.rows("SELECT scenario, outcome, turns FROM roleplay_sessions") == [("no-need", "quit", 0)]
        assert history.rows("SELECT count(*) FROM reviews") == [(0,)]


# -- a mentor's grade overrules the coach's -----------------------------------------------------

def _graded_session(tmp_path: Path, reply: str) -> tuple[Path, Path]:
    db, transcript = tmp_path / "h.db", tmp_path / "t.jsonl"
    done = subprocess.run([sys.executable, "-m", "kamtrain", "roleplay", "run", "too-expensive", "--lang", "en",
                           "--transcript", str(transcript), "--db", str(db)], input=reply + "\n",
                          capture_output=True, text=True, env=_env(tmp_path, db), timeout=120)
    assert done.returncode == 0, done.stderr
    return db, transcript


def test_a_mentor_grade_counts_in_place_of_the_coachs(tmp_path: Path) -> None:
    db, transcript = _graded_session(tmp_path, "I hear you, the gap looks big. What does the other quote include?")
    with open_history(db) as history:
        (coach_grade, due_before), = history.rows(
            "SELECT s.grade, c.due FROM roleplay_sessions s, cards c")
    assert coach_grade >= 2
    reason = "Asked well, but never tied the price to what the client gets."
    result = invoke("roleplay", "review", str(transcript), "--grade", "1", "--reason", reason, "--mentor", "Hà",
                    "--db", str(db))
    assert result.exit_code == 0, result.output
    line = f"Mentor's grade (Hà, {utc_today()}): 1/5, in place of the coach's {coach_grade}/5. {reason}"
    assert line in result.stdout
    assert result.stderr.strip() == f"Saved in '{transcript}' and in an's practice history '{db}'."
    event = json.loads(transcript.read_text(encoding="utf-8").splitlines()[-1])
    assert (event["event"], event["grade"], event["coach_grade"], event["reason"]) == (
        "mentor_grade", 1, coach_grade, reason)
    assert line in transcript.with_suffix(".md").read_text(encoding="utf-8")
    with open_history(db) as history:
        assert history.rows("SELECT grade FROM roleplay_sessions") == [(coach_grade,)]  # the coach's stays on file
        assert history.rows("SELECT rating, grade FROM reviews") == [(1, 1)]
        assert history.rows("SELECT mentor, grade, reason FROM mentor_grades") == [("Hà", 1, reason)]
        (due_after,), = history.rows("SELECT due FROM cards")
    assert due_after < due_before  # "Again" brings the scenario back sooner than the coach's grade did
    assert line in invoke("roleplay", "review", str(transcript)).stdout  # shown on every later review
    report = tmp_path / "progress.html"
    assert invoke("progress", "--db", str(db), "--user", "an", "--lang", "en", "--format", "html",
                  "-o", str(report)).exit_code == 0
    html = report.read_text(encoding="utf-8")
    assert f"1/5 <small>(mentor&#39;s grade; the coach gave {coach_grade})</small>" in html


def utc_today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def test_rebuilding_a_card_from_its_reviews_gives_the_card_they_made(tmp_path: Path) -> None:
    times = [NOW, NOW + timedelta(days=1), NOW + timedelta(days=4)]
    with open_history(tmp_path / "h.db") as history:
        for at, rating in zip(times, (3, 1, 4), strict=True):
            history.record_review("an", kind="scenario", item="upsell", competency="c", lang="vi", rating=rating,
                                  at=at, reschedule=rescheduler("scenario", "upsell", rating, at))
        (card, due), = history.rows("SELECT card, due FROM cards")
        reviews = history.rows("SELECT rating, at FROM reviews ORDER BY id")
    assert rebuilder("scenario")("upsell", reviews) == (card, due)


def test_a_mentor_grade_needs_a_reason_and_a_reply_to_grade(tmp_path: Path) -> None:
    db, transcript = _graded_session(tmp_path, "Fine, 10% off.")
    for args, message in ((["--grade", "2"], "Error: --grade needs --reason"),
                          (["--grade", "2", "--reason", "  "], "Error: --grade needs --reason"),
                          (["--reason", "why"], "Error: --reason goes with --grade")):
        result = invoke("roleplay", "review", str(transcript), *args, "--db", str(db))
        assert result.exit_code == 1 and result.stderr.startswith(message), result.output
        assert len(result.stderr.strip().splitlines()) == 1
    silent = tmp_path / "silent.jsonl"
    subprocess.run([sys.executable, "-m", "kamtrain", "roleplay", "run", "no-need", "--transcript", str(silent),
                    "--db", str(db)], input="/quit\n", capture_output=True, text=True, env=_env(tmp_path, db),
                   timeout=120, check=True)
    result = invoke("roleplay", "review", str(silent), "--grade", "2", "--reason", "x", "--db", str(db))
    assert result.exit_code == 1 and "holds no reply to grade" in result.stderr
    assert "mentor_grade" not in silent.read_text(encoding="utf-8")


def test_a_mentor_grade_keeps_the_conversation_the_trainee_had(tmp_path: Path) -> None:
    _db, transcript = _graded_session(tmp_path, "I hear you. What does the other quote include?")
    # As if the coach had judged differently on the day: the record, not a replay, is what counts.
    lines = transcript.read_text(encoding="utf-8").splitlines()
    end = json.loads(lines[-1])
    assert end["event"] == "end"
    lines[-1] = json.dumps({**end, "grade": 5})
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    copy = transcript.with_suffix(".md")
    copy.write_text(copy.read_text(encoding="utf-8") + "\n(as the trainee saw it)\n", encoding="utf-8")
    for grade, reason in ((2, "first look"), (3, "second look")):
        result = invoke("roleplay", "review", str(transcript), "--grade", str(grade), "--reason", reason,
                        "--mentor", "Hà", "--db", str(tmp_path / "none.db"))
        assert result.exit_code == 0, result.output
    text = copy.read_text(encoding="utf-8")
    assert "(as the trainee saw it)" in text and text.count("Outcome: stopped early") == 1
    assert "2/5, in place of the coach's 5/5. first look" in text
    assert "3/5, in place of the coach's 5/5. second look" in text
    shown = invoke("roleplay", "review", str(transcript)).stdout
    assert "Outcome: stopped early" in shown and shown.count("Mentor's grade") == 2


TEARS = [b'{"event": "turn", "at": "2026', b'{"ev', '{"event": "turn", "reply": "Dạ'.encode()[:-1]]


@pytest.mark.parametrize("tear", TEARS, ids=["mid-value", "mid-key", "mid-character"])
def test_a_transcript_torn_by_a_crash_takes_a_mentor_grade_and_stays_readable(tmp_path: Path, tear: bytes) -> None:
    _db, transcript = _graded_session(tmp_path, "I hear you. What does the other quote include?")
    with transcript.open("ab") as stream:
        stream.write(tear)  # the process died mid-write
    for grade in (2, 3):
        result = invoke("roleplay", "review", str(transcript), "--grade", str(grade), "--reason", f"look {grade}",
                        "--db", str(tmp_path / "none.db"))
        assert result.exit_code == 0, result.output
    shown = invoke("roleplay", "review", str(transcript))
    assert shown.exit_code == 0, shown.output
    assert "look 2" in shown.stdout and "look 3" in shown.stdout


def test_a_mentor_grade_for_a_session_outside_the_history_stays_in_the_transcript(tmp_path: Path) -> None:
    _db, transcript = _graded_session(tmp_path, "Fine, 10% off.")
    elsewhere = tmp_path / "other.db"
    result = invoke("roleplay", "review", str(transcript), "--grade", "4", "--reason", "Good enough.",
                    "--mentor", "Hà", "--db", str(elsewhere))
    assert result.exit_code == 0, result.output
    assert "so progress is unchanged" in result.stderr
    assert json.loads(transcript.read_text(encoding="utf-8").splitlines()[-1])["grade"] == 4
    assert not elsewhere.exists()


def test_a_moved_transcript_still_finds_its_session(tmp_path: Path) -> None:
    db, transcript = _graded_session(tmp_path, "Fine, 10% off.")
    moved = tmp_path / "archive" / transcript.name
    moved.parent.mkdir()
    transcript.rename(moved)
    result = invoke("roleplay", "review", str(moved), "--grade", "2", "--reason", "Discount first.", "--mentor", "Hà",
                    "--db", str(db))
    assert result.exit_code == 0 and "an's practice history" in result.stderr, result.output


# -- progress --------------------------------------------------------------------------------

@pytest.fixture
def practised(tmp_path: Path, bank: Bank) -> Path:
    """Three days of practice for 'an' (ending on NOW's day), one review for 'binh', one role-play."""
    db = tmp_path / "h.db"
    questions = list(bank.questions.values())
    with open_history(db) as history:
        for day, (question, rating) in enumerate(((questions[0], 1), (questions[1], 3), (questions[0], 4))):
            at = NOW - timedelta(days=2 - day)
            history.record_review("an", kind="question", item=question.id, competency=question.competency,
                                  lang="en", rating=rating, at=at,
                                  reschedule=rescheduler("question", question.id, rating, at))
        history.record_review("binh", kind="question", item=questions[2].id, competency=questions[2].competency,
                              lang="vi", rating=2, at=NOW, reschedule=None)
        session = Session(bank.scenarios["too-expensive"], "en")
        session.respond("I hear you. Could you tell me what the other quote includes?")
        session.quit()
        record_roleplay(history, "an", session, tmp_path / "t.jsonl", NOW)
    return db


def test_progress_text_shows_strength_reviews_due_and_streak(practised: Path, bank: Bank) -> None:
    result = invoke("progress", "--db", str(practised), "--user", "an", "--lang", "en", "--now", STAMP)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Progress of an · as of 2026-01-05 (UTC)\n4 reviews · ")
    assert "3-day streak" in out
    first, second = (bank.questions[qid] for qid in list(bank.questions)[:2])
    row = next(line for line in out.splitlines() if line.startswith(bank.competencies[first.competency].name.en))
    # Strength is the mean of each item's latest rating: Easy (100%) for the first question, and
    # Good (67%) for the second when it shares the competency.
    assert ("83%" if second.competency == first.competency else "100%") in row
    assert "too-expensive" in out
    assert "Role-play grades over time" in out


def test_progress_counts_the_streak_until_a_missed_day(practised: Path) -> None:
    two_days_later = (NOW + timedelta(days=2)).isoformat()
    out = invoke("progress", "--db", str(practised), "--user", "an", "--lang", "en", "--now", two_days_later).stdout
    assert "0-day streak" in out


def test_progress_html_is_a_report_with_charts_and_escaped_names(practised: Path, tmp_path: Path, bank: Bank
                                                                  ) -> None:
    with open_history(practised) as history:
        history.record_review("<b>eve</b>", kind="question", item="q", competency="c", lang="en", rating=3,
                              at=NOW, reschedule=None)
    target = tmp_path / "report.html"
    result = invoke("progress", "--db", str(practised), "--all-users", "--format", "html", "-o", str(target),
                    "--now", STAMP)
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 3
    assert "<polyline" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html and "<b>eve</b>" not in html
    assert "Tiến độ của an" in html and "Tiến độ của binh" in html
    first = bank.questions[next(iter(bank.questions))]
    assert f"<td>{bank.competencies[first.competency].name.vi}</td>" in html  # names, not ids, in Vietnamese
    assert "<td>c</td>" in html  # a competency no bank knows keeps its id


def test_progress_csv_is_every_raw_review(practised: Path) -> None:
    result = invoke("progress", "--db", str(practised), "--user", "an", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    assert rows[0]["rating_name"] == "again"
    assert rows[-1]["source"] == "roleplay"
    assert rows[-1]["outcome"] == "quit"
    assert rows[-1]["answer"] == "I hear you. Could you tell me what the other quote includes?"


def test_progress_for_an_unknown_user_names_the_known_ones(practised: Path) -> None:
    result = invoke("progress", "--db", str(practised), "--user", "ann")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no history for user 'ann' in '{practised}' (did you mean 'an'?); " \
                            f"users here: an, binh\n"
