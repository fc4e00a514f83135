"""Bad input gets one clear line, and nothing a user made (history, transcripts, filled cards) is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kamtrain.history import open_history
from tests.conftest import invoke, write_tree


def test_a_progress_report_never_overwrites_the_history_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with open_history(db):
        pass
    before = db.read_bytes()
    result = invoke("progress", "--db", str(db), "--user", "an", "--format", "csv", "-o", str(db))
    assert result.exit_code == 1
    assert "is the history file itself" in result.stderr
    assert db.read_bytes() == before


def test_a_transcript_path_must_be_jsonl_so_its_markdown_copy_cannot_replace_it(tmp_path: Path) -> None:
    result = invoke("roleplay", "run", "too-expensive", "--transcript", str(tmp_path / "t.md"), input="/quit\n")
    assert result.exit_code == 1
    assert "must end in .jsonl" in result.stderr
    assert not (tmp_path / "t.md").exists()


def test_a_filled_scorecard_is_never_overwritten_but_a_blank_one_may_be(tmp_path: Path) -> None:
    args = ("kit", "--level", "kam", "--candidate", "Nguyễn Thị Lan", "-o", str(tmp_path))
    assert invoke(*args).exit_code == 0
    assert invoke(*args).exit_code == 0  # the same blank card again: nothing to lose
    card = next(tmp_path.glob("scorecard-*.yaml"))
    filled = card.read_text(encoding="utf-8") + "# scores from Hoa\n"
    card.write_text(filled, encoding="utf-8")
    result = invoke(*args)
    assert result.exit_code == 1
    assert "already exists and is not the blank card" in result.stderr
    assert card.read_text(encoding="utf-8") == filled


def test_a_yaml_key_that_is_a_list_is_a_one_line_problem(tmp_path: Path) -> None:
    write_tree(tmp_path, {"question_bank/q.yaml": "questions:\n  ? [a]\n  : 3\n"})
    result = invoke("validate", "--bank", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith("q.yaml:2: a key must be a plain value")


@pytest.mark.parametrize(("lines", "message"), [
    ('[1]\n', "not a transcript line"),
    ('{"event": "start", "scenario": "too-expensive", "lang": "fr"}\n', "language must be vi or en"),
    ('{"event": "start", "scenario": "too-expensive", "lang": "en"}\n{"event": "turn", "reply": null}\n',
     "a turn without the trainee's reply"),
])
def test_a_damaged_transcript_is_reviewed_with_one_line(tmp_path: Path, lines: str, message: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines, encoding="utf-8")
    result = invoke("roleplay", "review", str(path))
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_grading_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "replies.csv"
    path.write_bytes(b"id,text\n1,\xe9\n")
    result = invoke("roleplay", "grade", "--scenario", "too-expensive", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("is not UTF-8 text; save it as UTF-8")


def test_an_excel_csv_with_a_byte_order_mark_is_graded(tmp_path: Path) -> None:
    path = tmp_path / "replies.csv"
    path.write_bytes("\ufeffid,text,lang\nan,Dạ vâng ạ,vi\n".encode())
    result = invoke("roleplay", "grade", "--scenario", "too-expensive", str(path))
    assert result.exit_code == 0, result.output
    assert '"id": "an"' in result.stdout


def test_grading_exits_non_zero_when_a_line_could_not_be_graded(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    path.write_text('{"id": 1, "text": "Dạ vâng"}\n{oops\n', encoding="utf-8")
    result = invoke("roleplay", "grade", "--scenario", "too-expensive", str(path))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2


def test_the_mentors_markdown_table_escapes_the_ids(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    path.write_text('{"id": "a|b<script>", "text": "Dạ vâng"}\n', encoding="utf-8")
    md = invoke("roleplay", "grade", "--scenario", "too-expensive", str(path), "--format", "md").stdout
    assert "| a\\|b\\<script\\> | 1 |" in md
    assert "<script>" not in md


def test_a_stray_non_utf8_byte_on_stdin_does_not_stop_a_session(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    env = {**os.environ, "KAMTRAIN_DATA_DIR": str(tmp_path), "NO_COLOR": "1",
           "PYTHONIOENCODING": "utf-8:surrogateescape"}
    done = subprocess.run([sys.executable, "-m", "kamtrain", "roleplay", "run", "too-expensive", "--transcript",
                           str(transcript)], input=b"Em hi\xe9u ch\xe1 lo chi ph\xed\n/quit\n", capture_output=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    assert '"event": "end"' in transcript.read_text(encoding="utf-8")


def test_an_organisations_label_of_the_wrong_shape_gives_file_and_line(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"labels.yaml": "scorecard:\n  verdicts: hello\n"})
    result = invoke("kit", "--level", "am", "--templates", str(templates), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        "labels.yaml:2: label 'scorecard.verdicts' must be a mapping, like the built-in one")


def test_a_round_that_is_not_an_ascii_number_is_a_row_error(tmp_path: Path) -> None:
    table = write_tree(tmp_path, {"c.csv": "name,level,round\nAn,kam,²\n"}) / "c.csv"
    result = invoke("kit", "--candidates", str(table), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_the_same_scorecard_given_twice_is_refused(tmp_path: Path) -> None:
    invoke("kit", "--level", "kam", "--candidate", "Lan", "-o", str(tmp_path))
    card = next(tmp_path.glob("scorecard-*.yaml"))
    result = invoke("scorecard", "merge", str(card), str(card))
    assert result.exit_code == 1
    assert "is given twice" in result.stderr
