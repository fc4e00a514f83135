"""Role-play sessions: the client reacts to what the trainee does, and transcripts survive anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kamtrain.bank import load_bank
from kamtrain.model import SCENARIO_IDS, Bank
from kamtrain.roleplay.session import Session
from tests.conftest import invoke


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def session(bank: Bank, scenario_id: str, lang: str) -> Session:
    return Session(bank.scenarios[scenario_id], lang)


def test_every_fixed_scenario_id_is_built_in(bank: Bank) -> None:
    assert set(bank.scenarios) == set(SCENARIO_IDS)


def test_the_client_opens_with_the_price_objection(bank: Bank) -> None:
    assert session(bank, "too-expensive", "vi").opening.startswith("Dịch vụ của bên bạn quá đắt")


def test_an_instant_discount_makes_the_client_push_for_more(bank: Bank) -> None:
    play = session(bank, "too-expensive", "vi")
    turn = play.respond("Dạ thôi em giảm 10% cho chị luôn nhé.")
    assert "discount" in turn.verdict.moves
    assert turn.client_lines[0] == bank.scenarios["too-expensive"].reactions.push_more[0].vi


def test_a_hidden_fact_comes_out_only_after_a_probe(bank: Bank) -> None:
    scenario = bank.scenarios["too-expensive"]
    budget = next(f for f in scenario.persona.hidden_facts if f.id == "budget-cap")
    weak = session(bank, "too-expensive", "vi")
    weak.respond("Dạ em hiểu chị đang lo về chi phí.")
    assert weak.revealed == []
    strong = session(bank, "too-expensive", "vi")
    turn = strong.respond("Dạ em hiểu chị đang lo chi phí. "
                          "Chị cho em hỏi ngân sách được duyệt cho gói này là bao nhiêu ạ?")
    assert turn.revealed == ["budget-cap"]
    assert budget.reveal.vi in turn.client_lines


def test_every_asked_by_phrase_typed_as_written_finds_its_fact(bank: Bank) -> None:
    # The phrases are read the way a reply is read, so "e ngại" typed by a trainee meets "e ngai".
    for scenario in bank.scenarios.values():
        for lang in ("vi", "en"):
            play = Session(scenario, lang)
            for fact in scenario.persona.hidden_facts:
                pattern = play._asked_by[fact.id]
                for phrase in fact.asked_by:
                    assert pattern is not None and pattern.search(play.coach.read(phrase, lang).text), (
                        scenario.id, fact.id, phrase)


def test_a_question_typed_in_chat_shorthand_finds_the_fact_it_asks_about(bank: Bank) -> None:
    turn = session(bank, "too-expensive", "vi").respond("c cho e hoi ns dc duyet la bn a?")
    assert "probe" in turn.verdict.moves
    assert turn.revealed == ["budget-cap"]  # "ns", "dc", "bn": ngân sách, được, bao nhiêu


def test_an_argument_hardens_the_client_and_enough_of_them_lose_the_deal(bank: Bank) -> None:
    play = session(bank, "too-expensive", "en")
    start = play.mood
    first = play.respond("With respect, you're wrong: our price is the market rate.")
    assert first.client_lines[0] == bank.scenarios["too-expensive"].reactions.harden[0].en
    assert play.mood == start - 1
    while not play.over:
        play.respond("That's not true, you get what you pay for.")
    assert play.outcome == "lost"


def test_a_strong_trainee_keeps_the_deal(bank: Bank) -> None:
    play = session(bank, "too-expensive", "en")
    play.respond("I hear you, the gap looks big. Could you tell me what the other quote includes?")
    play.respond("Thanks, that helps. What matters most to your board this launch?")
    turn = play.respond("Then let's phase it: KOL content management first, micro-influencers in month two. "
                        "I'll send the like-for-like breakdown by Thursday 5pm.")
    assert play.outcome == "won"
    assert turn.client_lines[-1] == bank.scenarios["too-expensive"].ending.won.en
    assert play.grade >= 4


def test_ownership_calms_an_angry_client(bank: Bank) -> None:
    play = session(bank, "missed-deadline", "vi")
    start = play.mood
    play.respond("Em xin lỗi anh, trễ là lỗi bên em, em chịu trách nhiệm.")
    assert play.mood == start + 1


def test_the_same_reply_is_judged_with_the_scenarios_own_cues(bank: Bank) -> None:
    for scenario_id in SCENARIO_IDS:
        play = session(bank, scenario_id, "en")
        assert play.respond(bank.scenarios[scenario_id].model_reply.en).verdict.grade >= 4, scenario_id


def test_list_shows_every_scenario_with_its_title(bank: Bank) -> None:
    out = invoke("roleplay", "list", "--lang", "en").stdout
    for scenario_id in SCENARIO_IDS:
        assert scenario_id in out
    assert bank.scenarios["kol-cancel"].title.en in out


def test_list_filters_by_level(bank: Bank) -> None:
    out = invoke("roleplay", "list", "--level", "ae").stdout.split("\n")
    listed = {line.split()[0] for line in out if line.strip()}
    assert listed == {s.id for s in bank.scenarios_for("ae")}


def test_an_unknown_scenario_is_one_line_with_the_ids() -> None:
    result = invoke("roleplay", "run", "too-expensiv")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: unknown scenario 'too-expensiv' (did you mean 'too-expensive'?); choose from")
    assert len(result.stderr.splitlines()) == 1


def _run(args: list[str], tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAMTRAIN_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "kamtrain", "roleplay", "run", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60)


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_piped_session_runs_to_the_debrief_and_saves_both_transcripts(tmp_path: Path, bank: Bank) -> None:
    transcript = tmp_path / "t.jsonl"
    replies = ("I hear you, the gap looks big. Could you tell me what the other quote includes?\n"
               "Then let's phase it, and I'll send the like-for-like breakdown by Thursday 5pm.\n")
    done = _run(["too-expensive", "--lang", "en", "--transcript", str(transcript)], tmp_path, replies)
    assert done.returncode == 0, done.stderr
    scenario = bank.scenarios["too-expensive"]
    assert scenario.opening.en.split(".")[0] in done.stdout
    assert scenario.model_reply.en in done.stdout
    assert "Could you tell me what the other quote includes?" in done.stdout  # quoted back in the debrief
    events = _events(transcript)
    assert [e["event"] for e in events][:2] == ["start", "client"]
    assert sum(e["event"] == "turn" for e in events) == 2
    assert events[-1]["event"] == "end"
    assert transcript.with_suffix(".md").read_text(encoding="utf-8").startswith(f"# {scenario.title.en}")


def test_eof_mid_session_keeps_every_turn(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    done = _run(["no-need", "--transcript", str(transcript)], tmp_path,
                "Dạ em hiểu anh đang hài lòng với team hiện tại.\n")
    assert done.returncode == 0
    events = _events(transcript)
    assert [e["event"] for e in events] == ["start", "client", "turn", "end"]
    assert events[-1]["outcome"] == "quit"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "terminal-closed"])
def test_an_interrupted_session_keeps_the_transcript_and_ends_with_a_clear_line(
        tmp_path: Path, stop: signal.Signals) -> None:
    transcript = tmp_path / "t.jsonl"
    env = {**os.environ, "KAMTRAIN_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "kamtrain", "roleplay", "run", "kol-cancel", "--transcript",
                             str(transcript)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdin is not None
    proc.stdin.write("Em xin lỗi chị, em đang liên hệ ba bạn KOL thay thế, 3h chiều nay em gửi chị profile.\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (transcript.exists() and '"turn"' in transcript.read_text()):
        time.sleep(0.05)
    proc.send_signal(stop)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert str(transcript) in out
    events = _events(transcript)
    assert [e["event"] for e in events] == ["start", "client", "turn", "end"]


def test_review_replays_a_saved_session_with_verdicts(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    _run(["too-expensive", "--lang", "en", "--transcript", str(transcript)], tmp_path,
         "OK, I'll take 10% off for you.\n/quit\n")
    result = invoke("roleplay", "review", str(transcript))
    assert result.exit_code == 0
    assert "discount" in result.stdout
    assert "OK, I'll take 10% off for you." in result.stdout


def test_reviewing_something_that_is_not_a_transcript_is_one_line(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.jsonl"
    bogus.write_text("hello\n", encoding="utf-8")
    result = invoke("roleplay", "review", str(bogus))
    assert result.exit_code == 1
    assert "is not a kamtrain transcript" in result.stderr
