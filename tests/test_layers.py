"""An organisation's bank layered over the built-in one: replace by id, add new ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kamtrain.bank import load_bank
from kamtrain.errors import ContentInvalid
from tests.conftest import invoke, write_tree


def _question_yaml(qid: str, en_text: str, competency: str = "negotiation") -> str:
    return f"""questions:
  - id: {qid}
    levels: [am, kam]
    competency: {competency}
    kind: situational
    text: {{vi: "Khách đòi thêm một KOL mà không tăng budget, bạn xử lý sao?", en: "{en_text}"}}
    reveals: {{vi: "Cách giữ phạm vi hợp đồng", en: "How they hold the contract scope"}}
    probes:
      - {{vi: "Bạn nói câu đầu tiên thế nào?", en: "What is your first sentence?"}}
      - {{vi: "Nếu khách dọa đổi agency?", en: "What if they threaten to switch agency?"}}
    signals: [{{vi: "Đưa ra change order", en: "Offers a change order"}}]
    red_flags: [{{vi: "Nhận lời ngay", en: "Says yes at once"}}]
    outline: [{{vi: "Ghi nhận, báo chi phí, đề xuất đổi hạng mục", en: "Acknowledge, price it, offer a swap"}}]
    minutes: 5
    source: original
"""


def test_a_new_id_is_added(tmp_path: Path) -> None:
    builtin = load_bank()
    write_tree(tmp_path, {"question_bank/ours.yaml": _question_yaml("ours-extra-kol", "Extra KOL, same budget?")})
    layered = load_bank([tmp_path])
    assert len(layered.questions) == len(builtin.questions) + 1
    assert layered.questions["ours-extra-kol"].text.en == "Extra KOL, same budget?"


def test_an_existing_id_is_replaced(tmp_path: Path) -> None:
    builtin = load_bank()
    qid = next(iter(builtin.questions))
    write_tree(tmp_path, {"question_bank/ours.yaml": _question_yaml(qid, "Our own wording.")})
    layered = load_bank([tmp_path])
    assert len(layered.questions) == len(builtin.questions)
    assert layered.questions[qid].text.en == "Our own wording."


def test_later_layers_win_over_earlier_ones(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "a", {"question_bank/q.yaml": _question_yaml("ours-q", "From A.")})
    second = write_tree(tmp_path / "b", {"question_bank/q.yaml": _question_yaml("ours-q", "From B.")})
    assert load_bank([first, second]).questions["ours-q"].text.en == "From B."


def test_the_same_id_twice_in_one_layer_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "question_bank/a.yaml": _question_yaml("ours-q", "One."),
        "question_bank/b.yaml": _question_yaml("ours-q", "Two."),
    })
    with pytest.raises(ContentInvalid) as raised:
        load_bank([tmp_path])
    assert [str(p).split("/")[-1] for p in raised.value.problems] == [
        "b.yaml:2: question id 'ours-q' is already defined at a.yaml:2"
    ]


def test_export_includes_the_organisations_questions(tmp_path: Path) -> None:
    write_tree(tmp_path, {"question_bank/ours.yaml": _question_yaml("ours-extra-kol", "Extra KOL?")})
    data = json.loads(invoke("bank", "export", "--bank", str(tmp_path)).stdout)
    assert "ours-extra-kol" in data["questions"]


def test_validate_counts_the_layers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"question_bank/ours.yaml": _question_yaml("ours-extra-kol", "Extra KOL?")})
    assert invoke("validate", "--bank", str(tmp_path)).stdout.rstrip().endswith("from 2 layers")


def test_a_bank_read_back_from_the_cache_equals_a_fresh_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMTRAIN_CACHE_DIR", str(tmp_path / "cache"))
    fresh = load_bank()
    assert list((tmp_path / "cache" / "banks").glob("*.pickle"))
    assert load_bank() == fresh


@pytest.mark.parametrize("command", [["validate"], ["roleplay", "list"]])
def test_a_second_run_loads_neither_yaml_nor_pydantic(tmp_path: Path, command: list[str]) -> None:
    # Start-up budgets have no room for PyYAML or pydantic when nothing changed: the validated bank
    # and the package's own YAML (labels, cues) come back from the cache.
    env = {**os.environ, "KAMTRAIN_CACHE_DIR": str(tmp_path / "cache")}
    probe = (f"import sys; from kamtrain.cli import cli; cli({command!r}, standalone_mode=False); "
             "print('yaml' in sys.modules, 'pydantic' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert runs[0].stdout.strip().endswith("True True")  # the first run parses and validates the files
    assert runs[1].stdout.strip().endswith("False False")


def test_an_edited_file_is_validated_again_not_read_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMTRAIN_CACHE_DIR", str(tmp_path / "cache"))
    layer = write_tree(tmp_path / "ours", {"question_bank/q.yaml": _question_yaml("ours-q", "First.")})
    assert load_bank([layer]).questions["ours-q"].text.en == "First."
    broken = _question_yaml("ours-q", "First.").replace("minutes: 5", "minutes: 0")
    (layer / "question_bank" / "q.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentInvalid):
        load_bank([layer])


def test_a_damaged_cache_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMTRAIN_CACHE_DIR", str(tmp_path / "cache"))
    fresh = load_bank()
    for cached in (tmp_path / "cache" / "banks").glob("*.pickle"):
        cached.write_bytes(b"not a pickle")
    assert load_bank() == fresh


def test_a_cache_folder_that_cannot_be_written_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMTRAIN_CACHE_DIR", "/dev/null/no-cache-here")
    assert invoke("validate").exit_code == 0
