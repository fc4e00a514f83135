"""The handbook: generated from the bank at build time, in Vietnamese and English, built strictly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from kamtrain.bank import load_bank
from kamtrain.errors import UserError
from kamtrain.handbook import build_handbook, fold, fold_search_entries, render_pages
from tests.conftest import REPO, invoke, write_tree


def _t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _level(level: str, name: str) -> dict[str, Any]:
    return {
        "id": level,
        "name": _t(name, name),
        "scope": _t(f"Phạm vi của {name}.", f"What a {name} owns."),
        "duties": [_t(f"Việc {n} của {name}", f"{name} duty {n}") for n in (1, 2, 3)],
        "kpis": [_t("Tỉ lệ khách quay lại", "Returning clients"), _t("NPS", "NPS")],
        "portfolio": _t("Vài khách", "A few clients"),
        "differs_from_below": _t("Rộng hơn cấp dưới", "Wider than the level below"),
        "versus_sales": _t("Giữ khách, không săn khách", "Keeps clients rather than hunting them"),
        "source": "original",
    }


def _rubric(topic_vi: str, topic_en: str) -> dict[str, Any]:
    return {level: {score: _t(f"{topic_vi} mức {score} ở {level}", f"{topic_en} at {score} for {level}")
                    for score in (1, 2, 3, 4, 5)}
            for level in ("ae", "am", "kam", "sam")}


def _question(qid: str, competency: str, text_vi: str, text_en: str, levels: list[str]) -> dict[str, Any]:
    return {
        "id": qid, "levels": levels, "competency": competency, "kind": "situational",
        "text": _t(text_vi, text_en),
        "reveals": _t("Cách giữ phạm vi", "How they hold the scope"),
        "probes": [_t("Bạn hỏi gì trước?", "What do you ask first?"), _t("Rồi sao nữa?", "And then?")],
        "signals": [_t("Hỏi lý do thật", "Asks for the real reason")],
        "red_flags": [_t("Giảm giá ngay", "Discounts at once")],
        "outline": [_t("Ghi nhận", "Acknowledge"), _t("Đưa phương án", "Offer options")],
        "minutes": 5, "source": "original",
    }


def _scenario() -> dict[str, Any]:
    lines = [_t("Vẫn đắt quá em ạ.", "It is still too expensive.")]
    return {
        "id": "too-expensive",
        "title": _t("Khách chê báo giá đắt", "The client says the quote is too high"),
        "levels": ["am", "kam"], "competency": "negotiation", "source": "original",
        "situation": _t("Bạn gửi báo giá tuần trước.", "You sent the quote last week."),
        "persona": {
            "name": _t("Chị Thảo", "Thao"), "role": _t("Brand Manager", "Brand Manager"), "company": "Mộc An",
            "industry": _t("Mỹ phẩm", "Cosmetics"), "mood": _t("Hơi gắt", "Impatient"), "start_mood": -1,
            "hidden_facts": [
                {"id": "rival", "fact": _t("Đối thủ báo thiếu hạng mục", "The rival quote leaves items out"),
                 "reveal": _t("Bên kia không tính KOL", "They left the KOLs out")},
                {"id": "cap", "fact": _t("Ngân sách trần 1 tỷ", "The budget cap is 1 billion"),
                 "reveal": _t("Chị chỉ có 1 tỷ", "I only have 1 billion")},
            ],
        },
        "opening": _t("Báo giá bên em đắt hơn bên kia 30%.", "Your quote is 30% above the other one."),
        "reactions": {name: lines for name in ("harden", "push_more", "doubt", "soften", "consider", "stall")},
        "ending": {"won": _t("Chốt được", "Deal kept"), "lost": _t("Mất deal", "Deal lost"),
                   "timeout": _t("Hết giờ", "Out of time")},
        "debrief": [_t("Hỏi trước khi giảm giá.", "Ask before you discount.")],
        "model_reply": _t("Em hiểu chị lo chi phí; chị cho em hỏi bên kia gồm những gì?",
                          "I understand the cost worries you; may I ask what their quote includes?"),
    }


def write_small_bank(root: Path) -> Path:
    """A complete bank small enough to read: four levels, two competencies, two questions, a scenario."""
    rubrics = {
        "levels": [_level(level, name) for level, name in
                   (("ae", "Account Executive"), ("am", "Account Manager"),
                    ("kam", "Key Account Manager"), ("sam", "Senior Account Manager"))],
        "competencies": [
            {"id": "negotiation", "group": "skill", "name": _t("Đàm phán và hợp đồng", "Negotiation and contracts"),
             "description": _t("Thương lượng giá và phạm vi.", "Agreeing price and scope."),
             "rubric": _rubric("Đàm phán", "Negotiation")},
            {"id": "integrity", "group": "attitude", "name": _t("Chính trực", "Integrity"),
             "description": _t("Nói thật với khách và với team.", "Tells the client and the team the truth."),
             "rubric": _rubric("Chính trực", "Integrity")},
        ],
    }
    questions = {"questions": [
        _question("extra-kol", "negotiation", "Khách đòi thêm một KOL mà không tăng budget?",
                  "The client wants an extra KOL on the same budget?", ["am", "kam"]),
        _question("honest-delay", "integrity", "Bạn báo tin trễ deadline cho khách thế nào?",
                  "How do you tell the client about a late delivery?", ["ae", "am"]),
    ]}
    return write_tree(root, {
        "rubrics/small.yaml": yaml.safe_dump(rubrics, allow_unicode=True),
        "question_bank/small.yaml": yaml.safe_dump(questions, allow_unicode=True),
        "scenarios/too-expensive.yaml": yaml.safe_dump(_scenario(), allow_unicode=True),
    })


ORG_QUESTION = """questions:
  - id: ours-pitch-fee
    levels: [kam]
    competency: negotiation
    kind: situational
    text: {vi: "Khách muốn agency pitch miễn phí lần thứ ba, bạn trả lời sao?", en: "Our own: a third free pitch?"}
    reveals: {vi: "Cách giữ giá trị công việc", en: "Whether they protect the value of the work"}
    probes:
      - {vi: "Bạn đổi lại điều gì?", en: "What do you ask for in return?"}
      - {vi: "Nếu khách dọa đổi agency?", en: "What if they threaten to switch?"}
    signals: [{vi: "Đổi ưu đãi lấy cam kết", en: "Trades a concession for a commitment"}]
    red_flags: [{vi: "Nhận lời ngay", en: "Says yes at once"}]
    outline: [{vi: "Ghi nhận, hỏi tiêu chí, đưa phương án", en: "Acknowledge, ask the criteria, offer options"}]
    minutes: 5
    source: original
"""


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("handbook")
    bank = write_small_bank(root / "bank")
    org = write_tree(root / "org", {"question_bank/ours.yaml": ORG_QUESTION})
    return build_handbook(root / "site", [bank, org], include_builtin=False)


def test_every_generated_page_exists_in_both_languages(small_site: Path) -> None:
    for page in ("levels", "levels/kam", "competencies", "competencies/negotiation", "questions",
                 "questions/am", "scenarios", "scenarios/too-expensive"):
        assert (small_site / page / "index.html").is_file(), page
        assert (small_site / "en" / page / "index.html").is_file(), f"en/{page}"


def test_vietnamese_is_the_default_and_english_sits_beside_it(small_site: Path) -> None:
    vi = (small_site / "competencies" / "negotiation" / "index.html").read_text(encoding="utf-8")
    en = (small_site / "en" / "competencies" / "negotiation" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in vi and '<h1 id="dam-phan-va-hop-dong">Đàm phán và hợp đồng<' in vi
    assert '<html lang="en"' in en and '<h1 id="negotiation-and-contracts">Negotiation and contracts<' in en
    assert 'hreflang="en"' in vi and "en/competencies/negotiation/" in vi


def test_a_competency_page_shows_its_rubric_across_levels(small_site: Path) -> None:
    page = (small_site / "en" / "competencies" / "negotiation" / "index.html").read_text(encoding="utf-8")
    table = page[page.index("<table>"):page.index("</table>")]
    assert table.count("<tr>") == 6  # header + scores 1..5
    for level in ("AE", "AM", "KAM", "SAM"):
        assert f">{level}</a>" in table
    assert "Negotiation at 5 for kam" in table


def test_the_organisations_bank_appears_in_its_handbook(small_site: Path) -> None:
    page = (small_site / "en" / "competencies" / "negotiation" / "index.html").read_text(encoding="utf-8")
    assert "Our own: a third free pitch?" in page
    level = (small_site / "questions" / "kam" / "index.html").read_text(encoding="utf-8")
    assert "Khách muốn agency pitch miễn phí lần thứ ba" in level


def test_navigation_goes_by_level_and_by_competency(small_site: Path) -> None:
    home = (small_site / "index.html").read_text(encoding="utf-8")
    for link in ("levels/kam/", "competencies/integrity/", "questions/sam/", "scenarios/too-expensive/"):
        assert f'href="{link}"' in home, link
    assert "Cấp bậc" in home and "Năng lực" in home
    assert "Levels" in (small_site / "en" / "index.html").read_text(encoding="utf-8")


def test_the_search_index_holds_words_without_diacritics(small_site: Path) -> None:
    index = json.loads((small_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert {"title_folded", "text_folded"} <= set(index["config"]["fields"])
    negotiation = [d for d in index["docs"] if d["location"] == "competencies/negotiation/"]
    assert negotiation and negotiation[0]["title_folded"] == "dam phan va hop dong"


def test_a_broken_link_fails_the_build_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    import kamtrain.handbook

    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "site", tmp_path / "site")
    (tmp_path / "site" / "workflow.en.md").write_text("# Workflow\n\nSee [the brief](competencies/brief.md).\n")
    monkeypatch.setattr(kamtrain.handbook, "config_file", lambda: tmp_path / "mkdocs.yml")
    with pytest.raises(UserError) as raised:
        build_handbook(tmp_path / "out", [write_small_bank(tmp_path / "bank")], include_builtin=False)
    assert "\n" not in str(raised.value) and "strict mode" in str(raised.value)
    assert "competencies/brief.md" in capsys.readouterr().err


HANDWRITTEN = sorted((REPO / "site").glob("*.md"))


def test_every_hand_written_page_exists_in_both_languages_and_nothing_generated_is_committed() -> None:
    stems = {path.name.rsplit(".", 2)[0] for path in HANDWRITTEN}
    assert {"index", "workflow", "account-vs-sales"} <= stems
    for stem in stems:
        assert (REPO / "site" / f"{stem}.vi.md").is_file() and (REPO / "site" / f"{stem}.en.md").is_file(), stem
    assert all(path.is_file() for path in (REPO / "site").iterdir()), "site/ holds only hand-written pages"


def test_no_hand_written_sentence_is_copied_from_the_seed_articles(shared_dir: Path) -> None:
    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    seed_runs: set[tuple[str, ...]] = set()
    for seed in (shared_dir / "seeds").glob("*.txt"):
        ws = words(seed.read_text(encoding="utf-8"))
        seed_runs.update(tuple(ws[i:i + 8]) for i in range(len(ws) - 7))
    pages = [*HANDWRITTEN, *(REPO / "kamtrain" / "templates" / "handbook").iterdir()]
    copied = [f"{page.name}: {' '.join(run)}" for page in pages
              for ws in [words(page.read_text(encoding="utf-8"))]
              for run in (tuple(ws[i:i + 8]) for i in range(len(ws) - 7)) if run in seed_runs]
    assert not copied, copied[:10]


def test_content_is_escaped_for_markdown_and_html(tmp_path: Path) -> None:
    bank = load_bank([write_small_bank(tmp_path)], include_builtin=False)
    integrity = bank.competencies["integrity"]
    tricky = replace(integrity, description=replace(
        integrity.description, en="Never <script>alert(1)</script> *bold* | pipe [link](x)"))
    bank = replace(bank, competencies={**bank.competencies, "integrity": tricky})
    markdown = render_pages(bank)["competencies/integrity.en.md"]
    assert "<script>" not in markdown
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; \*bold\* \| pipe \[link\](x)" in markdown


def test_fold_strips_vietnamese_diacritics() -> None:
    assert fold("<p>Đàm PHÁN hợp đồng</p>").split() == ["dam", "phan", "hop", "dong"]
    entries = [{"title": "Đàm phán", "text": "giá"}, {"title": "Plain", "text": "words"}]
    fold_search_entries(entries)
    assert entries[0]["title_folded"] == "dam phan" and entries[0]["text_folded"] == "gia"
    assert "title_folded" not in entries[1]


def test_mkdocs_build_strict_builds_the_handbook_from_the_repository(tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "KAMTRAIN_BANKS": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "index.html").is_file() and (out / "en" / "index.html").is_file()
    assert (out / "competencies" / "index.html").is_file()
    assert (out / "en" / "account-vs-sales" / "index.html").is_file()


def test_mkdocs_build_takes_an_organisations_bank_from_the_environment(tmp_path: Path) -> None:
    org = write_tree(tmp_path / "org", {"question_bank/ours.yaml": ORG_QUESTION})
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "KAMTRAIN_BANKS": str(org)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Our own: a third free pitch?" in (out / "en" / "competencies" / "negotiation" / "index.html").read_text()


def test_a_wheel_install_builds_the_handbook_away_from_the_repository(installed_wheel: Path, tmp_path: Path) -> None:
    assert (installed_wheel / "kamtrain" / "content" / "mkdocs.yml").is_file()
    assert (installed_wheel / "kamtrain" / "content" / "site" / "index.vi.md").is_file()
    done = subprocess.run([sys.executable, "-m", "kamtrain", "handbook", "build", "-o", "hb"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(installed_wheel)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "hb" / "en" / "competencies" / "index.html").is_file()


def test_the_cli_builds_the_handbook_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "hb"
    result = invoke("handbook", "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    assert (out / "index.html").is_file() and (out / "en" / "levels" / "index.html").is_file()


def test_serve_previews_the_handbook_on_the_given_address(tmp_path: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kamtrain", "handbook", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 90, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/levels/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert '<h1 id="levels">Levels' in page, server.stderr.read() if server.poll() is not None else "no answer"
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out


def test_the_cli_refuses_to_empty_a_folder_that_is_not_a_handbook(tmp_path: Path) -> None:
    keep = write_tree(tmp_path / "notes", {"todo.txt": "keep me"})
    result = invoke("handbook", "build", "-o", str(keep))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "not empty" in result.stderr
    assert (keep / "todo.txt").read_text() == "keep me"


def test_the_cli_reports_an_invalid_bank_by_file_and_line(tmp_path: Path) -> None:
    bad = write_tree(tmp_path / "bad", {"question_bank/q.yaml": ORG_QUESTION.replace("negotiation", "negotation")})
    result = invoke("handbook", "build", "--bank", str(bad), "-o", str(tmp_path / "hb"))
    assert result.exit_code == 2
    assert "q.yaml:4: question 'ours-pitch-fee': competency 'negotation' is not defined" in result.stderr
