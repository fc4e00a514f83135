"""Inputs nobody wrote tests for: the coach and the loader never crash, whatever they are given."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamtrain.bank import load_bank
from kamtrain.errors import ContentInvalid
from kamtrain.roleplay.coach import Coach

COACH = Coach()
VIETNAMESE = st.sampled_from(list("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"))
PIECES = st.one_of(st.characters(), VIETNAMESE, st.sampled_from([" ", "?", ".", "\n", "ko ", "dc ", "e ", "giảm 10% "]))
MESSY = st.lists(PIECES, max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(MESSY, st.sampled_from(["vi", "en", None]))
def test_the_coach_grades_any_text_and_its_evidence_quotes_it(text: str, lang: str | None) -> None:
    verdict = COACH.judge(text, lang)
    assert 1 <= verdict.grade <= 5
    for found in verdict.evidence.values():
        for evidence in found:
            assert text[evidence.start:evidence.end] == evidence.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_in_a_bank_file_give_problems_not_a_crash(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "question_bank" / "fuzz.yaml"
        path.parent.mkdir()
        path.write_bytes(content)
        try:
            load_bank([Path(tmp)])
        except ContentInvalid as invalid:
            assert invalid.problems
            assert all(str(p).startswith(str(path)) or "fuzz.yaml" in str(p) for p in invalid.problems)
