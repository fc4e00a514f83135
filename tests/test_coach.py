"""The coach on the traps the content guide names, and its agreement with the labelled dev sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamtrain.model import MOVES
from kamtrain.roleplay.coach import Coach, grade_moves, missing_for_next_grade

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach()


def moves(coach: Coach, text: str) -> set[str]:
    return set(coach.judge(text).moves)


def test_a_full_reply_in_vietnamese_earns_a_five(coach: Coach) -> None:
    verdict = coach.judge("Em hiểu anh đang lo về chi phí quý này. Anh đang so sánh với báo giá nào ạ? "
                          "Em gửi 2 phương án chia giai đoạn trước 5h chiều thứ 5 nhé.")
    assert set(verdict.moves) == {"acknowledge", "probe", "options", "next_step"}
    assert verdict.grade == 5


def test_the_same_reply_without_diacritics_and_with_chat_abbreviations_is_read_the_same(coach: Coach) -> None:
    verdict = coach.judge("e hieu a dang lo ve chi phi quy nay. a dang so sanh vs bao gia ben nao a? "
                          "e gui 2 phuong an chia giai doan truoc 5h chieu thu 5 nhe")
    assert set(verdict.moves) == {"acknowledge", "probe", "options", "next_step"}


def test_negation_is_not_a_discount(coach: Coach) -> None:
    assert "discount" not in moves(coach, "Em sẽ không giảm giá đâu ạ, nhưng em có thể chia đợt thanh toán.")
    assert "discount" in moves(coach, "Thôi em giảm 15% cho anh luôn.")
    # Folded, "đúng" (right) reads like "đừng" (don't); only the written negator negates.
    assert "discount" in moves(coach, "Dạ đúng, em giảm 10% cho chị luôn nha.")
    assert "discount" not in moves(coach, "Dạ đừng giảm giá, em chia đợt thanh toán cho chị nha.")
    assert "discount" not in moves(coach, "Da dung giam gia, em chia dot thanh toan cho chi nha.")


def test_a_polite_sorry_is_not_ownership_and_vague_boasting_is_no_move(coach: Coach) -> None:
    assert "ownership" not in moves(coach, "We can't go lower, sorry. That's our best price.")
    assert moves(coach, "Sorry to hear that.") == {"acknowledge"}
    assert "ownership" in moves(coach, "Sorry, the file was late; that's on us.")
    assert moves(coach, "Our team is the best in Vietnam, trust me.") == set()


def test_not_understanding_is_not_an_acknowledgement(coach: Coach) -> None:
    assert "acknowledge" not in moves(coach, "I don't understand why you would say that.")
    assert "acknowledge" not in moves(coach, "Em không hiểu sao anh lại nói vậy.")
    assert "acknowledge" in moves(coach, "Dạ em rất hiểu chị đang lo.")


def test_a_particle_is_not_read_as_an_abbreviation() -> None:
    from kamtrain.text import fold

    short = {"a": "anh", "e": "em", "ko": "khong", "dc": "duoc"}
    assert fold("Dạ em gửi ạ", short, {"a"}).text == "da em gui a"  # "ạ" has a mark: never "anh"
    assert fold("e gui a file, dc ko a?", short, {"a"}).text == "em gui anh file, duoc khong a?"


def test_a_that_particle_or_a_question_about_the_printer_blames_no_one(coach: Coach) -> None:
    assert "blame" not in moves(coach, "Chị ơi, 60 ngày rồi đó chị. Em gửi lại hóa đơn trước thứ Ba ạ.")
    assert "blame" not in moves(coach, "Anh cho em hỏi nhà in cần file muộn nhất mấy giờ ạ?")
    assert "blame" in moves(coach, "Dạ trễ là tại studio bên em quá tải, mấy bạn design làm ko kịp.")


def test_belittling_the_budget_is_argue(coach: Coach) -> None:
    assert "argue" in moves(coach, "300tr mà đòi TVC với 5 KOL thì agency nào làm nổi chị ơi.")
    assert "argue" in moves(coach, "With 300 million? Trending on TikTok just isn't realistic.")


def test_a_measured_result_is_value_and_a_price_cut_is_not(coach: Coach) -> None:
    assert "value" in moves(coach, "Bên em vừa làm khai trương cho một chuỗi trà, tuần đầu traffic gấp 3 kế hoạch.")
    assert "value" in moves(coach, "We ran a loyalty programme for a bakery chain; repeat orders went up 30%.")
    found = moves(coach, "Thôi em giảm 20% cho anh luôn nha.")
    assert "value" not in found and "discount" in found


def test_a_past_case_told_with_a_figure_is_value_and_a_promise_to_work_is_not(coach: Coach) -> None:
    assert "value" in moves(coach, "Khảo sát bên em làm với 600 bạn 18-25 có 64% nói họ mệt vì cày liên tục.")
    assert "value" in moves(coach, "We ran the same referral mechanic for another wallet: 120k new users.")
    assert "value" not in moves(coach, "Em làm lại 2 phương án và gửi chị trước 5h chiều nay.")
    assert "value" not in moves(coach, "Nếu anh cho bên em dùng campaign này làm case study thì em giãn "
                                       "thanh toán 60 ngày.")


def test_blame_is_someone_else_and_what_they_did_wrong(coach: Coach) -> None:
    assert "blame" in moves(coach, "Dạ báo giá này finance bên em tự cộng margin vào chứ em cũng thấy hơi cao.")
    assert "blame" in moves(coach, "If anything, her manager never told us she was unwell.")
    assert "blame" not in moves(coach, "Tại bên em gửi 42 slide dài quá, lỗi em.")


def test_a_cause_pinned_on_someone_else_is_blame_and_clearing_ourselves_argues_too(coach: Coach) -> None:
    assert "blame" in moves(coach, "The two extra rounds are because your CEO changed direction after the animatic.")
    assert "blame" in moves(coach, "Hai vòng sửa này là do sếp tổng bên chị muốn đổi bối cảnh ạ.")
    assert "blame" not in moves(coach, "The delay is because we misread the brief, and that's on me.")
    assert "blame" not in moves(coach, "Cái đó bên sales em gửi chị rồi ạ.")  # folded, "đó" (that) is no cause
    assert {"argue", "blame"} <= moves(coach, "Hai vòng sửa đó đâu phải do bên em làm sai chị ạ.")
    assert {"argue", "blame"} <= moves(coach, "To be honest, it's not entirely down to us.")
    # Owning it, "by" and "at", good news and a scolding question are no blame.
    assert "blame" not in moves(coach, "Dạ lỗi phía bên em, em xin nhận và sửa ngay trong chiều nay ạ.")
    assert "blame" not in moves(coach, "Kế hoạch này đã được duyệt bởi sếp tổng bên em từ tuần trước ạ.")
    assert "blame" not in moves(coach, "We can launch on Friday due to the printer freeing up a slot.")
    assert "blame" not in moves(coach, "Chẳng phải em đã gửi chị lịch từ tuần trước rồi sao ạ?")
    assert "blame" in moves(coach, "Tài chính bên chị tự cộng thêm margin vào nên báo giá mới cao vậy ạ.")
    assert "argue" not in moves(coach, "I know this is not fair to you. The file will be with you by 5pm today.")
    assert "argue" in moves(coach, "With the brief you gave us, that's not quite fair.")
    assert "blame" not in moves(coach, "Để chị đỡ khó với sếp, bên em lo phần báo cáo tuần này ạ.")  # đỡ: help
    assert {"argue", "blame"} <= moves(coach, "Chuyện này chẳng phải lỗi bên em ạ.")
    assert "blame" in moves(coach, "Chắc tại agency cũ làm ẩu nên khách mới sợ vậy.")


def test_a_scolding_question_is_not_a_probe(coach: Coach) -> None:
    found = moves(coach, "Ngân sách vậy thì làm được gì đâu chị, làm ít mà đòi nhiều thì sao ra kết quả ạ?")
    assert "probe" not in found and "argue" in found
    assert "probe" in moves(coach, "Chị cho em hỏi ngân sách này đã gồm media chưa ạ?")


def test_a_version_sent_is_not_a_busy_client(coach: Coach) -> None:
    assert "acknowledge" not in moves(coach, "Dạ em gửi chị bản sửa trước 11h sáng mai ạ.")
    assert "acknowledge" in moves(coach, "Dạ chị bận quá, em hiểu mà.")


def test_free_work_for_the_client_is_a_discount_but_being_free_for_a_call_is_not(coach: Coach) -> None:
    assert "discount" in moves(coach, "Don't worry, we will add the English version free for you.")
    assert "discount" not in moves(coach, "Are you free for a quick call on Friday at 3pm?")


def test_i_understand_but_then_contradicting_is_argue_not_acknowledge(coach: Coach) -> None:
    found = moves(coach, "I understand, but our price is already the market rate.")
    assert "argue" in found and "acknowledge" not in found


def test_a_rhetorical_question_is_argue_not_probe(coach: Coach) -> None:
    found = moves(coach, "Don't you want results?")
    assert found == {"argue"}


def test_a_question_that_only_asks_for_a_meeting_time_is_a_next_step(coach: Coach) -> None:
    found = moves(coach, "Can we meet on Thursday at 3pm?")
    assert "next_step" in found and "probe" not in found


def test_a_discount_traded_for_a_longer_contract_is_options(coach: Coach) -> None:
    found = moves(coach, "If you sign a 12-month contract, we can take 10% off the monthly fee.")
    assert "options" in found and "discount" not in found


def test_an_apology_that_blames_another_team_is_ownership_and_blame(coach: Coach) -> None:
    found = moves(coach, "Em xin lỗi anh, tại team creative làm chậm nên KV bị trễ.")
    assert {"ownership", "blame"} <= found


def test_a_guarantee_spoils_an_otherwise_strong_reply(coach: Coach) -> None:
    verdict = coach.judge("I hear you, the budget is tight. What result matters most to your boss? "
                          "We can phase it in two steps, and I guarantee sales will double. Plan to you by Friday 5pm.")
    assert "overpromise" in verdict.moves
    assert verdict.grade == 3


def test_off_topic_and_bare_replies_make_no_move(coach: Coach) -> None:
    assert moves(coach, "Dạ vâng") == set()
    assert moves(coach, "Noted.") == set()
    assert coach.judge("Hôm nay trời đẹp quá anh nhỉ.").grade == 1


def test_when_youre_free_is_not_a_next_step(coach: Coach) -> None:
    assert "next_step" not in moves(coach, "I'll check with the team and call you when you're free.")


def test_paying_for_the_fix_of_our_own_mistake_is_ownership(coach: Coach) -> None:
    found = moves(coach, "Sorry, that was our mistake. We'll re-cut it tonight at our cost and send it by 9am.")
    assert "ownership" in found and "discount" not in found


def test_evidence_quotes_the_trainees_own_words(coach: Coach) -> None:
    text = "Dạ em hiểu chị đang lo tiến độ. Em gửi chị timeline mới trước 10h sáng mai."
    verdict = coach.judge(text)
    for found in verdict.evidence.values():
        for evidence in found:
            assert text[evidence.start:evidence.end] == evidence.text
    assert verdict.evidence["acknowledge"][0].text == "em hiểu"


@pytest.mark.parametrize(("moves_", "grade"), [
    ({"acknowledge", "probe", "value", "next_step"}, 5),
    ({"acknowledge", "probe", "next_step"}, 4),
    ({"acknowledge", "probe"}, 3),
    ({"probe"}, 2),
    (set(), 1),
    ({"discount"}, 1),
    ({"acknowledge", "discount"}, 2),
    ({"acknowledge", "probe", "value", "next_step", "overpromise"}, 3),
])
def test_grades_follow_the_content_guide(moves_: set[str], grade: int) -> None:
    assert grade_moves(moves_) == grade


def test_what_is_missing_for_the_next_grade() -> None:
    assert missing_for_next_grade({"acknowledge", "probe"}) == ([], ["value", "next_step"])
    assert missing_for_next_grade({"acknowledge", "blame"}) == (["blame"], [])


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _all_rows() -> list[dict]:
    return [row for path in sorted(DATA.glob("coach_*.jsonl")) for row in _rows(path.name)]


def test_the_labelled_sets_are_large_varied_and_consistently_labelled() -> None:
    rows = _all_rows()
    assert len(rows) >= 1000
    assert len({r["scenario"] for r in rows}) == 14
    assert {r["lang"] for r in rows} == {"vi", "en"}
    assert len({r["id"] for r in rows}) == len(rows)
    for move in MOVES:
        assert sum(move in r["moves"] for r in rows) >= 100, move
    for grade in range(1, 6):
        assert sum(r["grade"] == grade for r in rows) >= 100, grade
    for row in rows:
        assert grade_moves(row["moves"]) == row["grade"], row["id"]


# Floors a little under the figures measured when the rules were last changed: a change to cues.yaml
# that loses agreement on any set fails here. (macro-F1 over the ten moves, share of grades within one)
FLOORS = {"A": (0.91, 0.96), "B": (0.88, 0.95), "C": (0.87, 0.97), "D": (0.90, 0.96), "F": (0.89, 0.96),
          "H": (0.88, 0.97), "K": (0.87, 0.97), "M": (0.83, 0.96), "P": (0.85, 0.95), "R": (0.86, 0.97),
          "B held out": (0.77, 0.94), "E": (0.84, 0.96), "G": (0.84, 0.95), "J": (0.83, 0.95), "L": (0.83, 0.94),
          "N": (0.83, 0.94), "Q": (0.83, 0.95), "S": (0.84, 0.96), "T": (0.85, 0.96), "U": (0.82, 0.93),
          "V": (0.85, 0.97), "W": (0.79, 0.97)}


def test_coach_agreement_on_every_labelled_set_does_not_regress() -> None:
    from benchmarks.coach_accuracy import parts, scores

    tuned, held = parts()
    measured = {name.split(":")[0]: scores(rows) for name, rows in tuned}
    measured |= {("B held out" if name.startswith("B:") else name.split(":")[0]): scores(rows) for name, rows in held}
    assert set(measured) == set(FLOORS)
    for name, (macro, within) in measured.items():
        floor_macro, floor_within = FLOORS[name]
        assert macro >= floor_macro and within >= floor_within, (name, macro, within)
