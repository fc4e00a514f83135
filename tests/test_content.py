"""The built-in content is the product: coverage, completeness, language and originality, from the model."""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kamtrain.bank import load_bank
from kamtrain.model import KINDS, LEVEL_IDS, SEED_FILES, Bank, Text

MINIMUM_QUESTIONS = {"ae": 40, "am": 40, "kam": 40, "sam": 20}
VIETNAMESE_LETTERS = re.compile(
    "[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.IGNORECASE)
ENGLISH_WORDS = {"the", "a", "an", "and", "to", "of", "you", "your", "is", "are", "in", "for", "with", "what",
                 "how", "it", "on", "that", "they", "their", "this", "we", "our", "i", "be", "by", "or"}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def texts(value: Any, where: str = "") -> Iterator[tuple[str, Text]]:
    """Every Text in a model, with a path saying where it sits."""
    if isinstance(value, Text):
        yield where, value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from texts(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{where}[{key}]")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{where}[{index}]")


def all_texts(bank: Bank) -> Iterator[tuple[str, Text]]:
    for section in ("levels", "competencies", "questions", "scenarios"):
        for entry_id, entry in getattr(bank, section).items():
            yield from texts(entry, f"{section}[{entry_id}]")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text.lower()))


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_each_level_has_enough_questions(bank: Bank, level: str) -> None:
    assert len(bank.questions_for(level)) >= MINIMUM_QUESTIONS[level]


@pytest.mark.parametrize("level", LEVEL_IDS)
def test_all_five_kinds_are_asked_at_every_level(bank: Bank, level: str) -> None:
    assert {q.kind for q in bank.questions_for(level)} == set(KINDS)


def test_every_competency_has_three_questions_at_every_level_it_applies_to(bank: Bank) -> None:
    short = []
    for competency in bank.competencies.values():
        for level in competency.levels:
            count = sum(q.competency == competency.id and level in q.levels for q in bank.questions.values())
            if count < 3:
                short.append(f"{competency.id}@{level}: {count}")
    assert not short, short


def test_every_competency_has_five_anchors_at_every_level_it_applies_to(bank: Bank) -> None:
    for competency in bank.competencies.values():
        assert competency.levels, competency.id
        for level in competency.levels:
            assert sorted(competency.rubric[level]) == [1, 2, 3, 4, 5]


def test_the_competency_map_of_the_content_guide_is_there(bank: Bank) -> None:
    groups = {c.group for c in bank.competencies.values()}
    assert groups == {"knowledge", "skill", "attitude"}
    assert {"negotiation", "team-leadership", "integrity", "client-centred"} <= set(bank.competencies)
    assert bank.competencies["team-leadership"].levels == ["kam", "sam"]


def test_the_nine_seed_questions_are_there_once_each(bank: Bank) -> None:
    for number in range(1, 10):
        tagged = [q.id for q in bank.questions.values() if f"seed-q{number}" in q.tags]
        assert len(tagged) == 1, (number, tagged)


def test_four_level_profiles_with_kpis_and_portfolio(bank: Bank) -> None:
    assert list(bank.levels) == list(LEVEL_IDS)
    assert re.search(r"15\s*[–-]\s*20", bank.levels["am"].portfolio.vi)
    assert re.search(r"3\s*[–-]\s*5", bank.levels["kam"].portfolio.vi)
    for level in bank.levels.values():
        assert len(level.kpis) >= 2 and level.versus_sales.vi and level.differs_from_below.en


def test_no_two_questions_are_near_duplicates(bank: Bank) -> None:
    """Jaccard similarity of the English question texts' word sets stays under 0.5 for every pair."""
    bags = {q.id: set(words(q.text.en)) - ENGLISH_WORDS for q in bank.questions.values()}
    too_close = []
    for (a, wa), (b, wb) in itertools.combinations(bags.items(), 2):
        similarity = len(wa & wb) / len(wa | wb)
        if similarity >= 0.5:
            too_close.append(f"{a} ~ {b}: {similarity:.2f}")
    assert not too_close, too_close


def test_vietnamese_texts_are_vietnamese(bank: Bank) -> None:
    bare = [where for where, text in all_texts(bank)
            if len(words(text.vi)) >= 4 and not VIETNAMESE_LETTERS.search(text.vi)]
    assert not bare, bare[:10]


def test_english_texts_are_english(bank: Bank) -> None:
    wrong = []
    for where, text in all_texts(bank):
        ws = words(text.en)
        if len(ws) < 6:
            continue
        vietnamese = sum(bool(VIETNAMESE_LETTERS.search(w)) for w in ws)
        if vietnamese / len(ws) > 0.25:
            wrong.append(where)
    assert not wrong, wrong[:10]


def test_the_two_languages_are_not_copies_of_each_other(bank: Bank) -> None:
    same = [where for where, text in all_texts(bank) if len(words(text.en)) >= 4 and text.vi == text.en]
    assert not same, same[:10]


def test_no_sentence_is_copied_from_the_seed_articles(bank: Bank, shared_dir: Path) -> None:
    seed_runs: set[tuple[str, ...]] = set()
    for name in SEED_FILES:
        ws = words((shared_dir / "seeds" / name).read_text(encoding="utf-8"))
        seed_runs.update(tuple(ws[i:i + 8]) for i in range(len(ws) - 7))
    copied = []
    for where, text in all_texts(bank):
        for lang in ("vi", "en"):
            ws = words(text[lang])
            for i in range(len(ws) - 7):
                if tuple(ws[i:i + 8]) in seed_runs:
                    copied.append(f"{where}.{lang}: {' '.join(ws[i:i + 8])}")
                    break
    assert not copied, copied[:10]


def test_every_source_names_a_real_seed_file(bank: Bank, shared_dir: Path) -> None:
    entries = [*bank.levels.values(), *bank.questions.values(), *bank.scenarios.values()]
    for entry in entries:
        assert entry.source == "original" or (shared_dir / "seeds" / entry.source).is_file(), entry.id
