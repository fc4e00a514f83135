"""`kamtrain roleplay grade`: a cohort's replies in, one verdict per line out, bad lines reported in place."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, invoke

COHORT = REPO / "examples" / "cohort-too-expensive.jsonl"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_reply_gets_grade_moves_evidence_and_feedback() -> None:
    result = invoke("roleplay", "grade", "--scenario", "too-expensive", str(COHORT))
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [r["id"] for r in out] == ["lan", "minh", "hoa", "tuan", "vy", "khoa"]
    by_id = {r["id"]: r for r in out}
    assert by_id["lan"]["grade"] == 5 and by_id["vy"]["grade"] == 1
    assert by_id["minh"]["moves"] == ["discount"]
    assert by_id["minh"]["evidence"]["discount"][0]["text"] == "giam 15%"
    assert by_id["minh"]["feedback"]["drop"] == ["discount"]
    assert by_id["vy"]["feedback"]["better_reply"].startswith("Em hiểu chị")
    assert by_id["khoa"]["moves"] == ["ownership", "blame", "overpromise"]  # an apology that blames a team
    assert by_id["khoa"]["evidence"]["blame"][0]["text"] == "the creative team priced"


def test_a_bad_line_gets_an_error_object_with_its_line_and_the_rest_are_graded(tmp_path: Path) -> None:
    replies = tmp_path / "replies.jsonl"
    replies.write_text('{"id": 1, "text": "Em hiểu chị lo chi phí, chị đang so với bên nào ạ?"}\n'
                       "{not json\n"
                       '{"id": 3, "lang": "en"}\n'
                       '{"id": 4, "text": "We can knock 20% off right now.", "lang": "en"}\n', encoding="utf-8")
    out = _lines(invoke("roleplay", "grade", "--scenario", "too-expensive", str(replies)).stdout)
    assert len(out) == 4
    assert out[0]["grade"] == 3
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2] == {"line": 3, "id": 3, "error": "field 'text' is missing or empty"}
    assert out[3]["moves"] == ["discount"]


def test_csv_input_and_stdin_work_the_same(tmp_path: Path) -> None:
    table = tmp_path / "replies.csv"
    table.write_text("id,text,lang\nan,\"Dạ vâng ạ\",vi\nbinh,\"I'll send two options by Thursday 5pm.\",en\n",
                     encoding="utf-8")
    from_csv = _lines(invoke("roleplay", "grade", "--scenario", "call-me-later", str(table)).stdout)
    assert [r["id"] for r in from_csv] == ["an", "binh"]
    assert "next_step" in from_csv[1]["moves"]
    piped = invoke("roleplay", "grade", "--scenario", "call-me-later", "-",
                   input='{"id": "binh", "text": "I\'ll send two options by Thursday 5pm."}\n')
    assert _lines(piped.stdout)[0]["moves"] == from_csv[1]["moves"]


def test_a_mentors_summary_as_markdown_and_csv() -> None:
    md = invoke("roleplay", "grade", "--scenario", "too-expensive", str(COHORT), "--format", "md",
                "--lang", "en").stdout
    assert md.startswith("# Cohort grades: 6 replies, mean grade 2.3")
    assert "| grade | 5 | 1 |" in md
    assert "| missing move |" in md
    vi = invoke("roleplay", "grade", "--scenario", "too-expensive", str(COHORT), "--format", "md").stdout
    assert vi.startswith("# Điểm của nhóm: 6 câu trả lời, điểm trung bình 2.3")
    assert "| điểm | 5 | 1 |" in vi
    csv_out = invoke("roleplay", "grade", "--scenario", "too-expensive", str(COHORT), "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "what,value,replies"


def test_an_unknown_scenario_lists_the_ids_in_one_line() -> None:
    result = invoke("roleplay", "grade", "--scenario", "expensive", str(COHORT))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "(did you mean 'too-expensive'?); choose from brief-taking, call-me-later," in result.stderr


def test_a_semicolon_csv_from_excel_is_read_like_any_other(tmp_path: Path) -> None:
    table = tmp_path / "replies.csv"
    table.write_text("id;text;lang\nan;Dạ em hiểu chị lo chi phí, chị đang so với bên nào ạ?;vi\n", encoding="utf-8")
    out = _lines(invoke("roleplay", "grade", "--scenario", "too-expensive", str(table)).stdout)
    assert out[0]["id"] == "an" and {"acknowledge", "probe"} <= set(out[0]["moves"])
