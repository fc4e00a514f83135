"""Every broken file in tests/broken/ must produce exactly the lines in its expected.txt, exit 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import invoke, write_tree

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_bank_gives_its_exact_message(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    result = invoke("validate", "--bank", ".")
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, result.output
    assert lines[:-1] == expected
    assert lines[-1].endswith("file(s)")
    assert "Traceback" not in result.output


def test_five_megabyte_file_is_refused_quickly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "question_bank" / "huge.yaml"
    big.parent.mkdir()
    big.write_text("questions:\n" + "  - id: x\n" * 500_000, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    result = invoke("validate", "--bank", ".")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "question_bank/huge.yaml: file is 5.0 MB; content files are limited to 1 MB (split it into several files)"
    )
    assert time.monotonic() - started < 10


def test_missing_bank_folder_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = invoke("validate", "--bank", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: bank folder '{tmp_path / 'nope'}' does not exist\n"


def test_bank_folder_without_yaml_is_one_line_and_exit_1(tmp_path: Path) -> None:
    write_tree(tmp_path, {"question_bank/notes.txt": "not yaml"})
    result = invoke("validate", "--bank", str(tmp_path))
    assert result.exit_code == 1
    assert "holds no YAML files in question_bank/, rubrics/ or scenarios/" in result.stderr
    assert len(result.stderr.splitlines()) == 1
