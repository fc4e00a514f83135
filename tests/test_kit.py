"""Interview kits, practice sheets, mentor plans and scorecard merging, as a recruiter and mentor use them."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from kamtrain.bank import load_bank
from kamtrain.errors import UserError
from kamtrain.model import LEVEL_IDS, Bank
from kamtrain.scorecard import follow_ups, merge, read_cards
from kamtrain.select import closing_minutes, interview_settings, opening_minutes, select_practice, select_round
from tests.conftest import REPO, invoke, write_tree

GOLDEN = REPO / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("KAMTRAIN_UPDATE_GOLDEN") == "1"
LAN = "Nguyễn Thị Lan"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def _kit(out: Path, *args: str) -> list[Path]:
    result = invoke("kit", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    return [Path(line.removeprefix("wrote ")) for line in result.stdout.splitlines()]


def _card(paths: list[Path]) -> dict:
    card = next(p for p in paths if p.name.startswith("scorecard-"))
    return yaml.safe_load(card.read_text(encoding="utf-8"))


def _md(text: str) -> str:
    """`text` as the Markdown templates print a value."""
    return text.translate(str.maketrans({"<": "&lt;", ">": "&gt;", "|": "\\|", "[": "\\[", "]": "\\]"}))


def _one_error_line(result, starts: str = "Error: ") -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(starts), lines[0]
    return lines[0]


# Choosing the questions


@pytest.mark.parametrize("level", LEVEL_IDS)
@pytest.mark.parametrize("minutes", [25, 45, 60, 90])
def test_a_kit_fits_its_time_budget(bank: Bank, level: str, minutes: int) -> None:
    selection = select_round(bank, level, minutes)
    assert selection.questions
    assert opening_minutes() + sum(q.minutes for q in selection.questions) + closing_minutes() <= minutes
    assert selection.total_minutes <= minutes


@settings(max_examples=60, deadline=None)
@given(level=st.sampled_from(LEVEL_IDS), minutes=st.integers(30, 240), seed=st.integers(0, 10_000),
       round_=st.integers(1, 3))
def test_any_budget_seed_and_round_gives_a_kit_within_budget_without_repeats(
    bank: Bank, level: str, minutes: int, seed: int, round_: int
) -> None:
    try:
        selection = select_round(bank, level, minutes, seed, round_)
    except UserError as err:  # a late round can run out of questions; that must be said plainly
        assert "left after leaving out" in str(err)
        return
    assert selection.total_minutes <= minutes
    assert len(set(selection.ids)) == len(selection.ids)


def test_the_kit_reaches_a_new_competency_before_a_second_question_on_any(bank: Bank) -> None:
    for level in LEVEL_IDS:
        selection = select_round(bank, level, 60)
        left = selection.budget - selection.total_minutes
        for cid in selection.uncovered:
            unused = [q for q in bank.questions_for(level) if q.competency == cid]
            assert all(q.minutes > left for q in unused), (level, cid)
        if len(selection.competencies) < len(selection.questions):
            assert not [cid for cid in selection.uncovered
                        if any(q.minutes <= left for q in bank.questions_for(level) if q.competency == cid)]


def test_an_hour_covers_every_focus_competency_of_the_level(bank: Bank) -> None:
    for level in LEVEL_IDS:
        selection = select_round(bank, level, 60)
        assert set(interview_settings()["focus"][level]) <= set(selection.competencies), level


def test_a_kit_includes_a_roleplay_when_one_fits(bank: Bank) -> None:
    for level in LEVEL_IDS:
        if any(q.kind == "roleplay" for q in bank.questions_for(level)):
            assert "roleplay" in [q.kind for q in select_round(bank, level, 60).questions], level


def test_every_focus_competency_is_defined_in_the_builtin_bank(bank: Bank) -> None:
    for level, ids in interview_settings()["focus"].items():
        for cid in ids:
            assert cid in bank.competencies and level in bank.competencies[cid].rubric, (level, cid)


def test_the_same_seed_gives_the_same_kit(tmp_path: Path) -> None:
    first = _kit(tmp_path / "a", "--level", "kam", "--candidate", LAN, "--seed", "7")
    second = _kit(tmp_path / "b", "--level", "kam", "--candidate", LAN, "--seed", "7")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_another_seed_gives_other_questions(bank: Bank) -> None:
    kits = {tuple(select_round(bank, "am", 60, seed).ids) for seed in range(1, 6)}
    assert len(kits) > 1


def test_round_two_never_repeats_a_question_of_round_one(tmp_path: Path) -> None:
    first = _card(_kit(tmp_path, "--level", "am", "--candidate", LAN))
    second = _card(_kit(tmp_path, "--level", "am", "--candidate", LAN, "--round", "2"))
    assert second["round"] == 2
    assert not set(first["questions"]) & set(second["questions"])


def test_exclude_leaves_out_exactly_the_questions_of_the_given_scorecard(tmp_path: Path) -> None:
    paths = _kit(tmp_path / "r1", "--level", "kam", "--seed", "3")
    card_path = next(p for p in paths if p.name.startswith("scorecard-"))
    second = _card(_kit(tmp_path / "r2", "--level", "kam", "--round", "2", "--exclude", str(card_path)))
    assert not set(_card(paths)["questions"]) & set(second["questions"])


def test_a_practice_sheet_never_holds_the_questions_of_the_interview(bank: Bank) -> None:
    for level in LEVEL_IDS:
        try:
            practice = select_practice(bank, level, 45)
        except UserError:
            continue  # a small bank may have nothing left; the interview's questions are still not given away
        assert not set(practice.ids) & set(select_round(bank, level, 45).ids)


# What the kit holds


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_every_kit_shows_the_anchors_of_each_chosen_competency(tmp_path: Path, bank: Bank, level: str) -> None:
    html = _kit(tmp_path, "--level", level, "--lang", "en")[0].read_text(encoding="utf-8")
    md = _kit(tmp_path, "--level", level, "--format", "md", "--lang", "en")[0].read_text(encoding="utf-8")
    selection = select_round(bank, level, 60)
    for cid in selection.competencies:
        for score, anchor in bank.competencies[cid].rubric[level].items():  # type: ignore[index]
            assert str(escape(anchor.en)) in html, (cid, score)
            assert _md(anchor.en) in md, (cid, score)
    for question in selection.questions:
        assert str(escape(question.text.en)) in html
        assert str(escape(question.probes[0].en)) in html


def test_the_kit_has_an_agenda_with_opening_and_closing_and_a_scorecard(tmp_path: Path) -> None:
    html = _kit(tmp_path, "--level", "am", "--lang", "en")[0].read_text(encoding="utf-8")
    for heading in ("Agenda", "Opening", "Closing", "Scorecard", "Overall recommendation", "Strong No", "Strong Yes"):
        assert heading in html
    assert "No decision" not in html
    assert "counter(page)" in html and "size: A4" in html
    assert "break-inside: avoid" in html


def test_the_scorecard_file_lists_the_kit_s_questions_and_competencies(tmp_path: Path, bank: Bank) -> None:
    card = _card(_kit(tmp_path, "--level", "sam", "--candidate", LAN))
    selection = select_round(bank, "sam", 60)
    assert card["format"] == "kamtrain-scorecard/1"
    assert (card["candidate"], card["level"], card["round"]) == (LAN, "sam", 1)
    assert card["questions"] == selection.ids
    assert list(card["scores"]) == selection.competencies
    assert all(entry["score"] is None for entry in card["scores"].values())


def test_a_candidate_named_like_a_script_prints_as_text(tmp_path: Path) -> None:
    name = "<script>alert(1)</script>"
    for fmt in ("html", "md"):
        paths = _kit(tmp_path, "--level", "ae", "--candidate", name, "--format", fmt)
        text = paths[0].read_text(encoding="utf-8")
        assert "<script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert _card(paths)["candidate"] == name
    practice = _kit(tmp_path, "--level", "ae", "--candidate", name, "--practice")[0].read_text(encoding="utf-8")
    assert "<script>" not in practice


def test_a_name_shaped_like_a_markdown_link_is_not_a_link(tmp_path: Path) -> None:
    md = _kit(tmp_path, "--level", "ae", "--candidate", "[Lan](javascript:alert(1)) | x", "--format", "md")[0]
    assert "| \\[Lan\\](javascript:alert(1)) \\| x |" in md.read_text(encoding="utf-8")


def test_file_names_fold_vietnamese_into_a_slug(tmp_path: Path) -> None:
    names = [p.name for p in _kit(tmp_path, "--level", "kam", "--candidate", LAN)]
    assert names == ["kit-kam-nguyen-thi-lan-r1.html", "scorecard-kam-nguyen-thi-lan-r1.yaml"]


def test_a_practice_sheet_puts_the_outlines_after_every_question(tmp_path: Path, bank: Bank) -> None:
    sheet = _kit(tmp_path, "--level", "am", "--practice", "--lang", "en")[0]
    text = sheet.read_text(encoding="utf-8")
    answers = text.index("Notes on a strong answer")
    selection = select_practice(bank, "am", 60)
    for question in selection.questions:
        assert text.index(str(escape(question.text.en))) < answers
        assert text.index(str(escape(question.outline[0].en)), answers) > answers
    assert "new-page" in text[answers - 200:answers]
    assert sheet.name == "practice-am-r1.html"


# User templates


def test_a_user_template_replaces_the_builtin_one(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"kit.md.j2": "OURS {{ kit.level.code }} {{ kit.candidate }}\n"})
    kit = _kit(tmp_path / "out", "--level", "am", "--format", "md", "--templates", str(templates),
               "--candidate", "<b>Lan</b>")[0]
    assert kit.read_text(encoding="utf-8") == "OURS AM &lt;b&gt;Lan&lt;/b&gt;\n"


def test_a_user_template_with_an_undefined_value_gives_file_line_and_exit_2(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"kit.html.j2": "<h1>{{ kit.level.name }}</h1>\n<p>\n{{ kit.nope }}\n"})
    result = invoke("kit", "--level", "am", "--templates", str(templates), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.endswith("kit.html.j2:3: undefined value: 'dict object' has no attribute 'nope'"), first


def test_a_user_template_with_a_syntax_error_gives_file_line_and_exit_2(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"kit.html.j2": "ok\n{% if %}\n"})
    result = invoke("kit", "--level", "am", "--templates", str(templates), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert re.search(r"kit\.html\.j2:2: template syntax error: ", result.stderr), result.stderr


def test_user_templates_run_in_the_sandbox(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"kit.html.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"})
    result = invoke("kit", "--level", "am", "--templates", str(templates), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "kit.html.j2:1: " in result.stderr and "unsafe" in result.stderr


def test_an_organisation_can_rename_a_label(tmp_path: Path) -> None:
    templates = write_tree(tmp_path / "tpl", {"labels.yaml": "kit:\n  agenda: {vi: 'Kịch bản', en: 'Running order'}\n"})
    kit = _kit(tmp_path / "out", "--level", "am", "--lang", "en", "--templates", str(templates))[0]
    text = kit.read_text(encoding="utf-8")
    assert "Running order" in text and "Opening" in text


# Bad input: one line, non-zero exit


def test_an_unknown_level_is_one_line(tmp_path: Path) -> None:
    line = _one_error_line(invoke("kit", "--level", "kma", "-o", str(tmp_path)))
    assert line == "Error: unknown level 'kma' (did you mean 'kam'?); choose from ae, am, kam, sam"


def test_a_budget_too_small_for_one_question_is_one_line(tmp_path: Path) -> None:
    line = _one_error_line(invoke("kit", "--level", "kam", "--minutes", "12", "-o", str(tmp_path)))
    assert line.startswith("Error: 12 minutes is too short: the opening and closing take 10")


def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = _one_error_line(invoke("kit", "--level", "am", "-o", str(blocker / "kits")))
    assert line.startswith(f"Error: cannot write to '{blocker / 'kits'}'")


def test_a_missing_exclude_file_is_one_line(tmp_path: Path) -> None:
    _one_error_line(invoke("kit", "--level", "am", "--round", "2", "--exclude", str(tmp_path / "nope.yaml")))


def test_pdf_without_the_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if the pdf extra were not installed
    line = _one_error_line(invoke("kit", "--level", "am", "--format", "pdf", "-o", str(tmp_path)))
    assert line == "Error: PDF output needs the pdf extra: pip install 'kamtrain[pdf]'"


def test_pdf_with_the_extra_is_a_whole_pdf_file(tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as missing:
        pytest.skip(f"the pdf extra (WeasyPrint and its Pango libraries) is not usable here: {missing}")
    paths = _kit(tmp_path, "--level", "am", "--format", "pdf")
    pdf = paths[0].read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 20_000  # a dozen pages of text, not an empty shell


# A batch from a CSV


def test_a_csv_makes_one_kit_per_row_and_reports_a_bad_row_by_number(tmp_path: Path) -> None:
    csv_path = tmp_path / "candidates.csv"
    csv_path.write_text("name,level,round,lang\n"
                        f"{LAN},kam,1,vi\n"
                        "Trần Minh Khoa,kma,1,vi\n"
                        "Lê Hoàng Anh,am,2,en\n"
                        "Phạm Thu,ae,x,vi\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("kit", "--candidates", str(csv_path), "-o", str(out))
    assert result.exit_code == 1
    assert f"{csv_path}:3: unknown level 'kma' (did you mean 'kam'?)" in result.stderr
    assert f"{csv_path}:5: round must be a whole number from 1, got 'x'" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: 2 of 4 rows failed")
    assert sorted(p.name for p in out.iterdir()) == [
        "kit-am-le-hoang-anh-r2.html", "kit-kam-nguyen-thi-lan-r1.html",
        "scorecard-am-le-hoang-anh-r2.yaml", "scorecard-kam-nguyen-thi-lan-r1.yaml",
    ]
    assert "Interview kit" in (out / "kit-am-le-hoang-anh-r2.html").read_text(encoding="utf-8")


def test_a_csv_from_excel_with_a_bom_and_semicolons_is_read(tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("\ufeffName;Level\nLan;am\n", encoding="utf-8")
    assert [p.name for p in _kit(tmp_path / "out", "--candidates", str(csv_path))] == [
        "kit-am-lan-r1.html", "scorecard-am-lan-r1.yaml"]


def test_an_unreadable_csv_is_one_line(tmp_path: Path) -> None:
    _one_error_line(invoke("kit", "--candidates", str(tmp_path / "missing.csv")))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("nam,level\nLan,am\n", encoding="utf-8")
    line = _one_error_line(invoke("kit", "--candidates", str(wrong)))
    assert line.startswith(f"Error: '{wrong}' has no 'name' column (did you mean 'name'?)"), line
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name,level\nNguy\xe9n,am\n".encode("latin-1"))
    assert "not UTF-8" in _one_error_line(invoke("kit", "--candidates", str(latin1)))


# Merging scorecards


def _filled(tmp_path: Path, name: str, scores: list[int | None], verdict: str, notes: str = "") -> Path:
    paths = _kit(tmp_path / "kit", "--level", "kam", "--candidate", LAN)
    card = _card(paths)
    card["interviewer"] = name
    for cid, score in zip(card["scores"], scores, strict=False):  # the rest stay unrated
        card["scores"][cid]["score"] = score
        card["scores"][cid]["notes"] = notes
    card["recommendation"] = verdict
    path = tmp_path / f"{name.lower()}.yaml"
    path.write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    return path


def test_a_second_round_follows_up_what_the_first_left_open(tmp_path: Path, bank: Bank) -> None:
    hoa = _filled(tmp_path, "Hoa", [4, 2, 3, None], "yes", notes="Vague on numbers")
    minh = _filled(tmp_path, "Minh", [2, 2, 3, None], "no")
    first = _card(_kit(tmp_path / "kit", "--level", "kam", "--candidate", LAN))  # the card _filled filled in
    split, low, fine, unrated = list(first["scores"])[:4]
    paths = _kit(tmp_path / "r2", "--level", "kam", "--round", "2", "--exclude", str(hoa), "--exclude", str(minh),
                 "--lang", "en", "--format", "md")
    assert paths[0].name == "kit-kam-nguyen-thi-lan-r2.md"  # the candidate comes from the cards
    kit = paths[0].read_text(encoding="utf-8")
    second = _card(paths)
    assert not set(first["questions"]) & set(second["questions"])
    covered = {bank.questions[q].competency for q in second["questions"]}
    assert {split, low} <= covered  # the disagreement and the low score are asked about again

    def row(cid: str) -> str:
        return f"| {_md(bank.competencies[cid].name.en)} |"

    assert "## What the earlier rounds found" in kit
    assert f"{row(split)} 4 | 2 | 3.0 | earlier interviewers differ by 2 or more |" in kit
    assert f"{row(low)} 2 | 2 | 2.0 | scored under the bar in the earlier round |" in kit
    assert f"{row(fine)} 3 | 3 | 3.0 |  |" in kit
    assert f"{row(unrated)} – | – | – | no evidence from the earlier round |" in kit
    assert kit.count("**Follow up:** earlier interviewers differ by 2 or more") == sum(
        bank.questions[q].competency == split for q in second["questions"])
    assert "- Hoa: Vague on numbers" in kit and "- Minh: **No**" in kit
    not_assessed = next(line for line in kit.splitlines() if line.startswith("> This interview does not"))
    assert _md(bank.competencies[fine].name.en) not in not_assessed  # round 1 assessed it: nothing is missing


def test_the_example_panel_is_a_filled_round_one_that_make_run_follows_up(bank: Bank) -> None:
    cards = sorted((REPO / "examples" / "panel").glob("*.yaml"))
    round_one = select_round(bank, "kam", 60, 1, 1).ids
    for card in cards:
        assert yaml.safe_load(card.read_text(encoding="utf-8"))["questions"] == round_one, card
    panel = merge(read_cards(cards, bank), bank)
    assert panel.level == "kam" and len(panel.interviewers) == 2
    assert follow_ups(panel, [])  # something for round 2 to follow up, so the demo shows it


def test_a_practice_sheet_never_holds_the_questions_of_a_follow_up_round(tmp_path: Path, bank: Bank) -> None:
    cards = [str(p) for p in sorted((REPO / "examples" / "panel").glob("*.yaml"))]
    exclude = [arg for card in cards for arg in ("--exclude", card)]
    for seed in ("1", "2", "3"):
        settings = ("--level", "kam", "--round", "2", "--seed", seed, *exclude, "--format", "md")
        interview = _card(_kit(tmp_path / seed, *settings))["questions"]
        sheet = _kit(tmp_path / seed, *settings, "--practice")[0].read_text(encoding="utf-8")
        assert not [q for q in interview if _md(bank.questions[q].text.vi) in sheet], seed


def test_a_card_with_scores_written_short_counts_as_filled(tmp_path: Path) -> None:
    card = yaml.safe_load(_filled(tmp_path, "Hoa", [4, 2], "yes").read_text(encoding="utf-8"))
    card["scores"] = {cid: entry["score"] for cid, entry in card["scores"].items()}  # `negotiation: 4`
    short = tmp_path / "short.yaml"
    short.write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    kit = _kit(tmp_path / "r2", "--level", "kam", "--round", "2", "--exclude", str(short), "--lang", "en",
               "--format", "md")[0].read_text(encoding="utf-8")
    assert "## What the earlier rounds found" in kit


def test_a_blank_earlier_card_only_leaves_its_questions_out(tmp_path: Path) -> None:
    blank = next(p for p in _kit(tmp_path / "r1", "--level", "kam") if p.name.startswith("scorecard-"))
    kit = _kit(tmp_path / "r2", "--level", "kam", "--round", "2", "--exclude", str(blank), "--lang", "en",
               "--format", "md")[0].read_text(encoding="utf-8")
    assert "What the earlier rounds found" not in kit and "Follow up" not in kit


def test_earlier_notes_are_escaped_in_the_html_kit(tmp_path: Path) -> None:
    hoa = _filled(tmp_path, "Hoa", [4, 2], "yes", notes="<script>alert(1)</script>")
    html = _kit(tmp_path / "r2", "--level", "kam", "--round", "2", "--exclude", str(hoa))[0].read_text(encoding="utf-8")
    assert "Vòng trước đã thấy gì" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_earlier_cards_for_another_level_are_one_line_with_the_file(tmp_path: Path) -> None:
    hoa = _filled(tmp_path, "Hoa", [4, 2], "yes")
    result = invoke("kit", "--level", "am", "--round", "2", "--exclude", str(hoa), "-o", str(tmp_path / "r2"))
    assert result.exit_code == 2, result.output
    assert f"{hoa}:" in result.stderr and "level 'kam' differs from 'am'" in result.stderr
    assert not (tmp_path / "r2").exists()


def test_merge_gives_mean_spread_and_a_calibration_flag(tmp_path: Path) -> None:
    hoa = _filled(tmp_path, "Hoa", [4, 2, 3, None], "yes")
    minh = _filled(tmp_path, "Minh", [3, 4, 3, None], "no", notes="<b>bold</b> claim")
    result = invoke("scorecard", "merge", str(hoa), str(minh), "--lang", "en", "-o", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r" / "report-kam-nguyen-thi-lan.md").read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if line.startswith("| ") and "**" in line and "⚠" in line]
    assert len(rows) == 1 and "| 2 | 4 | **3.0** | 2 | ⚠ calibrate |" in rows[0]
    assert "| 4 | 3 | **3.5** | 1 |" in report
    assert "Mixed: meet and discuss before deciding" in report
    assert "Missing evidence" in report
    assert "&lt;b&gt;bold&lt;/b&gt;" in report and "<b>" not in report
    svg = (tmp_path / "r" / "radar-kam-nguyen-thi-lan.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<polygon") == 5 + 2  # five rings, the bar, the candidate


def test_merge_to_html_embeds_the_radar_and_escapes_notes(tmp_path: Path) -> None:
    a = _filled(tmp_path, "Hoa", [4, 4, 4, 4], "strong_yes", notes="<script>x</script>")
    b = _filled(tmp_path, "Minh", [3, 4, 4, 3], "yes")
    result = invoke("scorecard", "merge", str(a), str(b), "--format", "html", "-o", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r" / "report-kam-nguyen-thi-lan.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "Cả hội đồng nghiêng về tuyển" in html


def test_a_bad_score_in_a_card_gives_file_line_and_exit_2(tmp_path: Path, bank: Bank) -> None:
    cid = next(c for c, comp in bank.competencies.items() if "kam" in comp.rubric)
    card = tmp_path / "card.yaml"
    card.write_text(f"format: kamtrain-scorecard/1\nlevel: kam\ninterviewer: Hoa\nscores:\n  {cid}:\n"
                    "    score: 7\nrecommendation: maybe\n", encoding="utf-8")
    result = invoke("scorecard", "merge", str(card), "-o", str(tmp_path / "r"))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].endswith(f"card.yaml:6: {cid}: score must be a whole number from 1 to 5, or empty when there "
                             "is no evidence; got 7")
    assert lines[1].endswith("card.yaml:7: recommendation 'maybe' is not one of strong_no, no, yes, strong_yes")


def test_cards_of_two_candidates_are_not_merged(tmp_path: Path) -> None:
    a = _filled(tmp_path, "Hoa", [4], "yes")
    other = yaml.safe_load(a.read_text(encoding="utf-8"))
    other["candidate"] = "Someone Else"
    b = tmp_path / "b.yaml"
    b.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    result = invoke("scorecard", "merge", str(a), str(b), "-o", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "candidate 'Someone Else' differs from" in result.stderr


def test_a_csv_of_ratings_merges_like_cards(tmp_path: Path, bank: Bank) -> None:
    ids = [c for c, comp in bank.competencies.items() if "am" in comp.rubric][:2]
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("interviewer,competency,score,notes\n"
                       f"Hoa,{ids[0]},5,strong\nHoa,{ids[1]},3,\nHoa,recommendation,strong_yes,\n"
                       f"Minh,{ids[0]},2,weak\nMinh,recommendation,no,\n", encoding="utf-8")
    result = invoke("scorecard", "merge", str(ratings), "--level", "am", "--candidate", "Lan", "--lang", "en",
                    "-o", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r" / "report-am-lan.md").read_text(encoding="utf-8")
    assert "| 5 | 2 | **3.5** | 3 | ⚠ calibrate |" in report
    assert "| 3 | – | **3.0** | 0 |" in report


# Mentor plan


def test_a_mentor_plan_has_a_session_a_week_with_drills_and_checkpoints(tmp_path: Path, bank: Bank) -> None:
    result = invoke("mentor-plan", "--level", "am", "--weeks", "12", "--format", "md", "--lang", "en",
                    "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "mentor-am-12w.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## Week \d+ · ", text, flags=re.M)) == 12
    assert re.findall(r"^### Checkpoint, week (\d+)", text, flags=re.M) == ["4", "8", "12"]
    drilled = set(re.findall(r"kamtrain roleplay run ([a-z-]+) --lang en", text))
    suited = {s.id for s in bank.scenarios_for("am")}
    assert drilled and drilled <= suited


def test_mentor_plan_weeks_outside_4_to_26_is_one_line(tmp_path: Path) -> None:
    line = _one_error_line(invoke("mentor-plan", "--level", "am", "--weeks", "3", "-o", str(tmp_path)))
    assert line.startswith("Error: weeks must be from 4 to 26")


# Golden files: one kit per level and format, read by a person before they are committed


@pytest.mark.parametrize("level", LEVEL_IDS)
@pytest.mark.parametrize("fmt, lang", [("html", "vi"), ("md", "en")])
def test_the_kit_matches_its_golden_file(tmp_path: Path, level: str, fmt: str, lang: str) -> None:
    kit = _kit(tmp_path, "--level", level, "--candidate", LAN, "--seed", "1", "--minutes", "60",
               "--format", fmt, "--lang", lang)[0]
    golden = GOLDEN / f"kit-{level}.{fmt}"
    fresh = kit.read_text(encoding="utf-8")
    if UPDATE_GOLDEN:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(fresh, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run KAMTRAIN_UPDATE_GOLDEN=1 pytest tests/test_kit.py"
    assert fresh == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs from a fresh kit: if the change is meant, regenerate with "
        "KAMTRAIN_UPDATE_GOLDEN=1 pytest tests/test_kit.py and read the diff before committing"
    )
