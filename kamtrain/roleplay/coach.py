"""The coach: which moves a reply makes, the words that show each, and the 1-5 grade.

The rules are data (`cues.yaml` beside this file, plus a scenario's own `cues` and hidden-fact
words); this module only knows how to apply them: fold the text, find cues, cancel negated ones,
tell a real question from a rhetorical one or a meeting request, and grade by the content guide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kamtrain.model import BAD_MOVES, GOOD_MOVES, MOVES, Scenario
from kamtrain.resources import package_yaml
from kamtrain.text import Folded, fold, has_marks

_NOT_WORD = r"(?<![a-z0-9'])"
_END_WORD = r"(?![a-z0-9'])"
_BOUNDARY = re.compile(r"[.!?;]+(?=\s|$)|\n")
_NEGATION_WINDOW = 3
# A group of plain words in a raw expression, "(finance|printer|ke toan)", factored like the phrases.
_WORD_GROUP = re.compile(r"\(((?:[a-z0-9' ]+\|)+[a-z0-9' ]+)\)")
# Words for the trainee's own side: a cause pinned on them is not blame ("because we misread the brief").
FIRST_PERSON = r"(?:em|minh|toi|we|i|our|us)\b"
_FIGURE = re.compile(r"\d[\d.,]*\s?(?:%|x\b|k\b|m\b|tr\b|trieu\b|ty\b|nghin\b|million\b|billion\b)?")


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a list of cue phrases (see the syntax at the top of cues.yaml)."""
    words: list[str] = []
    raw: list[str] = []
    for phrase in phrases:
        phrase = phrase.strip().lower()
        if phrase.startswith("re:"):
            raw.append(_WORD_GROUP.sub(lambda m: f"(?:{_factored(m.group(1).split('|'))})", phrase[3:]))
        elif phrase:
            words.append(_phrase_regex(phrase))
    # The word boundaries sit outside the alternation, so the engine tries the phrases only where a
    # word starts, and the phrases are factored by their first letters, so it tries only the few
    # that can match there.
    parts = [f"{_NOT_WORD}(?:{_factored(words)}){_END_WORD}"] if words else []
    # Likewise one leading \b for all the raw expressions that start with one, instead of one test each.
    at_word = [r[2:] for r in raw if r.startswith("\\b")]
    parts += [f"\\b(?:{'|'.join(at_word)})"] if at_word else []
    parts += [f"(?:{r})" for r in raw if not r.startswith("\\b")]
    return re.compile("|".join(parts)) if parts else None


def _factored(fragments: list[str], depth: int = 0) -> str:
    """One alternation of regex fragments, grouped by their leading letters (a shallow trie).

    Longest first within a group, so "em xin loi" wins over "em" at the same place; fragments in
    different groups cannot both match at one place, so their order does not matter.
    """
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for fragment in fragments:
        if depth < 3 and fragment[:1].isalnum():
            groups.setdefault(fragment[0], []).append(fragment[1:])
        else:
            rest.append(fragment)
    parts = [f"{letter}(?:{_factored(tails, depth + 1)})" if len(tails) > 1 else letter + tails[0]
             for letter, tails in groups.items()]
    parts += sorted(rest, key=len, reverse=True)
    return "|".join(parts)


def _phrase_regex(phrase: str) -> str:
    out = ""
    gap = False
    for word in phrase.split():
        if word == "..":
            gap = True
            continue
        piece = r"[a-z0-9'%]+" if word == "*" else re.escape(word)
        if out:
            out += r"\s+(?:\S+\s+){0,4}" if gap else r"\s+"
        out += piece
        gap = False
    return out


@dataclass(frozen=True)
class Evidence:
    move: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Verdict:
    """What a reply did: its moves (in the content guide's order), their evidence, and the grade."""

    text: str
    moves: tuple[str, ...]
    evidence: dict[str, tuple[Evidence, ...]]
    grade: int

    @property
    def good(self) -> tuple[str, ...]:
        return tuple(m for m in self.moves if m in GOOD_MOVES)

    @property
    def bad(self) -> tuple[str, ...]:
        return tuple(m for m in self.moves if m in BAD_MOVES)

    def to_json(self) -> dict[str, Any]:
        return {
            "grade": self.grade,
            "moves": list(self.moves),
            "evidence": {
                move: [{"text": e.text, "start": e.start, "end": e.end} for e in found]
                for move, found in self.evidence.items()
            },
        }


def grade_moves(moves: Iterable[str]) -> int:
    """The content guide's 1-5 grade for a set of moves."""
    found = set(moves)
    good = found & set(GOOD_MOVES)
    if found & set(BAD_MOVES):
        return 1 if not good else 2 if len(good) == 1 else 3
    if {"acknowledge", "probe", "next_step"} <= good and good & {"value", "options"}:
        return 5
    return min(4, len(good) + 1) if good else 1


def missing_for_next_grade(moves: Iterable[str]) -> tuple[list[str], list[str]]:
    """(bad moves to drop, good moves to add) that would lift the grade one step."""
    found = set(moves)
    bad: list[str] = [m for m in BAD_MOVES if m in found]
    if bad:
        return bad, []
    needed = ["acknowledge", "probe", "value", "next_step"]
    if "options" in found:
        needed[2] = "options"
    return [], [m for m in needed if m not in found]


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    text: str
    is_question: bool


@dataclass
class CueBook:
    """The compiled rules of cues.yaml, optionally extended by one scenario."""

    raw: dict[str, Any]
    scenario: Scenario | None = None
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        raw = self.raw
        extra: dict[str, list[str]] = {str(k): v for k, v in self.scenario.cues.items()} if self.scenario else {}
        for move in MOVES:
            denials = raw["denials"] if move in ("argue", "blame") else []  # first: the longer match wins
            compiled = compile_phrases([*denials, *raw["moves"].get(move, []), *extra.get(move, [])])
            if compiled:
                self.patterns[move] = compiled
        named = ["negators", "trade_markers", "trade_terms", "meeting_question", "offer_question", "rhetorical",
                 "time_expressions", "commit_verbs", "contrast_markers", "ignore", "defence", "value_metrics",
                 "outcome_change", "case_markers", "absorb_cost", "fix_words"]
        for name in named:
            compiled = compile_phrases(raw[name])
            assert compiled is not None, name
            self.patterns[name] = compiled
        actors = compile_phrases(raw["blame_actors"])
        acts = compile_phrases(raw["blame_acts"])
        causes = compile_phrases(raw["blame_causes"])
        assert actors is not None and acts is not None and causes is not None
        self.patterns["blame_actors"] = actors
        self.patterns["blame_by_structure"] = re.compile(
            f"(?:{actors.pattern})[^.!?]{{0,50}}?(?:{acts.pattern})"
            f"|(?:{causes.pattern})\\s+(?:(?!{FIRST_PERSON})[a-z0-9']+\\s+){{0,3}}?(?:{actors.pattern})")
        self.abbreviations: dict[str, dict[str, str]] = raw["abbreviations"]
        self.particles: dict[str, frozenset[str]] = {lang: frozenset(words) for lang, words in raw["particles"].items()}
        topics = list(raw["probe_topics"])
        if self.scenario:
            for fact in self.scenario.persona.hidden_facts:
                # As written and as a reply in either language is read ("e ngai" is read "em ngai").
                topics.extend(fact.asked_by)
                topics.extend(self.read(phrase, lang).text for phrase in fact.asked_by for lang in self.abbreviations)
        self.patterns["probe_topics"] = compile_phrases(topics) or re.compile("(?!)")
        self.patterns["question_inside"] = compile_phrases(raw["question_words"]["inside"]) or re.compile("(?!)")
        self.question_start = frozenset(raw["question_words"]["start"])
        self.written_negators = frozenset(raw["written_negators"])
        self.written_causes: dict[str, frozenset[str]] = {
            word: frozenset(forms) for word, forms in raw["written_causes"].items()}
        self.language_words = {lang: frozenset(words) for lang, words in raw["language_words"].items()}

    def read(self, text: str, lang: str) -> Folded:
        """The text as the coach reads it: folded, chat abbreviations of `lang` written out."""
        return fold(text, self.abbreviations.get(lang, {}), self.particles.get(lang, ()))


def default_cues() -> dict[str, Any]:
    loaded: dict[str, Any] = package_yaml("roleplay/cues.yaml")
    return loaded


class Coach:
    """Judges replies, for one scenario or in general."""

    def __init__(self, scenario: Scenario | None = None, cues: dict[str, Any] | None = None):
        self.scenario = scenario
        self.book = CueBook(cues or default_cues(), scenario)

    def detect_language(self, text: str) -> str:
        plain = fold(text).text
        words = re.findall(r"[a-z']+", plain)
        vi = sum(w in self.book.language_words["vi"] for w in words)
        en = sum(w in self.book.language_words["en"] for w in words)
        has_marks = any(ord(c) > 0x2FF for c in text if c.isalpha())
        return "vi" if has_marks or vi > en else "en"

    def read(self, text: str, lang: str) -> Folded:
        """The text as the coach reads it: folded, chat abbreviations of `lang` written out."""
        return self.book.read(text, lang)

    def judge(self, text: str, lang: str | None = None) -> Verdict:
        lang = lang if lang in ("vi", "en") else self.detect_language(text)
        folded = self.read(text, lang)
        searchable = self._blank(folded.text, self.book.patterns["ignore"])
        sentences = _sentences(searchable, self)
        found: dict[str, list[tuple[int, int]]] = {}

        for move in ("acknowledge", "value", "options", "ownership", "discount", "argue", "blame", "overpromise"):
            pattern = self.book.patterns.get(move)
            if pattern is None:
                continue
            for match in pattern.finditer(searchable):
                if match.end() == match.start():
                    continue
                negatable = move in ("acknowledge", "discount", "overpromise", "blame", "ownership", "options", "value")
                if negatable and self._negated(searchable, match.start(), folded):
                    continue
                found.setdefault(move, []).append(match.span())

        self._judge_statements(sentences, folded, found)
        self._resolve(searchable, folded, sentences, found)
        for sentence in sentences:
            self._judge_sentence(sentence, found)
        for scenario_move in ("probe", "next_step"):
            pattern = self.book.patterns.get(scenario_move)
            if pattern is not None:
                for match in pattern.finditer(searchable):
                    found.setdefault(scenario_move, []).append(match.span())
        return self._verdict(folded, found)

    # -- the parts of judge ------------------------------------------------------------------

    def _judge_statements(self, sentences: list[_Sentence], folded: Folded,
                          found: dict[str, list[tuple[int, int]]]) -> None:
        """Cues that count only in statements: blame by structure, measured results, cases with figures."""
        for sentence in sentences:
            if sentence.is_question:
                continue
            for match in self.book.patterns["blame_by_structure"].finditer(sentence.text):
                if not self._negated(sentence.text, match.start(), folded, sentence.start):
                    found.setdefault("blame", []).append((sentence.start + match.start(), sentence.start + match.end()))
            for match in self.book.patterns["outcome_change"].finditer(sentence.text):
                found.setdefault("value", []).append((sentence.start + match.start(), sentence.start + match.end()))
            figures = self._blank(sentence.text, self.book.patterns["time_expressions"])
            if not any(c.isdigit() for c in figures):
                continue
            case = self.book.patterns["case_markers"].search(sentence.text)
            figure = _FIGURE.search(figures)
            if case is not None and figure is not None:  # quote the case and its figure: "We ran" … "120k"
                for part in (case, figure):
                    found.setdefault("value", []).append((sentence.start + part.start(), sentence.start + part.end()))
            for match in self.book.patterns["value_metrics"].finditer(sentence.text):
                nearby = self._blank(sentence.text[max(0, match.start() - 40):match.end() + 40],
                                     self.book.patterns["time_expressions"])
                if any(c.isdigit() for c in nearby):  # "reach tăng 2,5 lần", not "sales đang chậm" nor "gửi trước 9h"
                    found.setdefault("value", []).append((sentence.start + match.start(),
                                                          sentence.start + match.end()))

    @staticmethod
    def _blank(text: str, pattern: re.Pattern[str]) -> str:
        return pattern.sub(lambda m: " " * len(m.group()), text)

    def _negated(self, text: str, start: int, folded: Folded, offset: int = 0) -> bool:
        """Whether a negator is among the few words before `start` in its clause.

        `text` is folded (`offset` places it in `folded.text`). Folded, "đúng" (right) reads like
        "đừng" (don't): a negator written with diacritics counts only in one of its written forms.
        """
        clause_start = max(text.rfind(mark, 0, start) for mark in ".!?;\n,") + 1
        words = list(re.finditer(r"\S+", text[clause_start:start]))[-_NEGATION_WINDOW:]
        if not words:
            return False
        for match in self.book.patterns["negators"].finditer(text, clause_start + words[0].start(), start):
            written = " ".join(folded.quote(offset + match.start(), offset + match.end()).lower().split())
            if not has_marks(written) or written in self.book.written_negators:
                return True
        return False

    def _cause_as_written(self, folded: Folded, span: tuple[int, int]) -> bool:
        """False for a blame cue that starts with a cause word written as another word ("đó", "đỡ" for "do")."""
        words = folded.text[span[0]:span[1]].split(maxsplit=1)
        forms = self.book.written_causes.get(words[0]) if words else None
        if forms is None or self.book.patterns["blame_actors"].match(folded.text, span[0]):
            return True  # not a cause word, or an actor that merely starts like one ("tài chính")
        written = folded.quote(span[0], span[1]).split(maxsplit=1)[0].lower()
        return not has_marks(written) or written in forms

    def _judge_sentence(self, sentence: _Sentence, found: dict[str, list[tuple[int, int]]]) -> None:
        p = self.book.patterns
        span = (sentence.start, sentence.end)
        has_time = p["time_expressions"].search(sentence.text) is not None
        commits = p["commit_verbs"].search(sentence.text) is not None
        if sentence.is_question:
            words = sentence.text.split()
            asks_wh = (bool(words) and words[0] in ("what", "why", "how", "which", "who", "where")
                       and " ".join(words[:2]) not in ("what if", "how about"))  # those two offer, not ask
            if p["rhetorical"].search(sentence.text):
                found.setdefault("argue", []).append(span)
                return
            if _inside(found.get("argue", []), span):  # "… thì sao ra kết quả ạ?" scolds; it asks nothing
                return
            if p["offer_question"].search(sentence.text) and not asks_wh:
                if has_time:
                    found.setdefault("next_step", []).append(span)
                return
            topic = p["probe_topics"].search(sentence.text)
            if p["meeting_question"].search(sentence.text) and not _topic_beyond_time(topic, p, sentence.text):
                if has_time:
                    found.setdefault("next_step", []).append(span)
                return
            if (topic is not None or "?" in sentence.text or asks_wh) and len(words) >= 3:
                found.setdefault("probe", []).append(span)
                # "Chị ưu tiên giữ lịch hay đổi KOL?" asks; the choices in it are not an offer.
                found["options"] = [o for o in found.get("options", []) if not span[0] <= o[0] < span[1]]
            return
        if has_time and commits:
            found.setdefault("next_step", []).append(span)

    def _resolve(self, text: str, folded: Folded, sentences: list[_Sentence],
                 found: dict[str, list[tuple[int, int]]]) -> None:
        p = self.book.patterns
        # "Cái đó bên sales …" names no cause: "đó" only reads like "do" once folded.
        found["blame"] = [span for span in found.get("blame", []) if self._cause_as_written(folded, span)]
        # A cue inside a longer cue of another move belongs to the longer one ("bot hang muc" is options).
        spans = [(move, s) for move, ss in found.items() for s in ss]
        for move, (a, b) in spans:
            inside_longer = any(other != move and oa <= a and b <= ob and (ob - oa) > (b - a)
                                for other, (oa, ob) in spans)
            if inside_longer and (a, b) in found.get(move, []):
                found[move].remove((a, b))
        for move in [m for m, ss in found.items() if not ss]:
            del found[move]
        # Paying for a fix is ownership when the reply owns a mistake, else it is a giveaway.
        for match in p["absorb_cost"].finditer(text):
            if self._negated(text, match.start(), folded):  # "that's not on us"
                continue
            found.setdefault("ownership" if found.get("ownership") else "discount", []).append(match.span())
        # A free fix of the agency's own error is ownership, not a giveaway.
        if "discount" in found and "ownership" in found:
            for part in sentences:
                if p["fix_words"].search(part.text):
                    fixed = [d for d in found["discount"] if part.start <= d[0] < part.end]
                    found["discount"] = [d for d in found["discount"] if d not in fixed]
                    found["ownership"].extend(fixed)
        # A concession traded for something is options, not discount.
        if "discount" in found and p["trade_markers"].search(text) and p["trade_terms"].search(text):
            found.setdefault("options", []).extend(found.pop("discount"))
        # Case-study rights traded for a concession are part of an option, not evidence of value.
        if p["trade_markers"].search(text):
            found["value"] = [v for v in found.get("value", []) if not p["trade_terms"].fullmatch(text[v[0]:v[1]])]
        # A guarantee is not value, and a question about results does not offer any.
        for part in sentences:
            span = (part.start, part.end)
            if part.is_question or _inside(found.get("overpromise", []), span):
                # A past case with its figure stays evidence beside a guarantee; the guarantee itself is none.
                found["value"] = [v for v in found.get("value", []) if not (span[0] <= v[0] < span[1])
                                  or (not part.is_question and _is_case_evidence(text[v[0]:v[1]], p))]
            if part.is_question and not _inside(found.get("argue", []), span):
                # Asking about a risk or a hold-up is not promising or blaming; a rhetorical question can be both.
                for move in ("overpromise", "blame"):
                    found[move] = [v for v in found.get(move, []) if not (span[0] <= v[0] < span[1])]
        # "I understand, but <defence>" is argue, not acknowledge.
        for ack in list(found.get("acknowledge", [])):
            sentence = next((s for s in sentences if s.start <= ack[0] < s.end), None)
            if sentence is None:
                continue
            following = next((s for s in sentences if s.start >= sentence.end), None)
            # "Em hiểu. Nhưng ..." contradicts as much as "em hiểu, nhưng ...".
            end = following.end if following is not None and sentence.end - ack[1] < 25 else sentence.end
            rest = text[ack[1]:end]
            contrast = p["contrast_markers"].search(rest)
            if contrast and contrast.start() < 40:
                after = rest[contrast.end():]
                offset = ack[1] + contrast.end()
                argued = p["defence"].search(after) or p["argue"].search(after)
                if argued:
                    found["acknowledge"].remove(ack)
                    found.setdefault("argue", []).append((offset + argued.start(), offset + argued.end()))

    def _verdict(self, folded: Folded, found: dict[str, list[tuple[int, int]]]) -> Verdict:
        evidence: dict[str, tuple[Evidence, ...]] = {}
        for move in MOVES:
            spans = sorted(set(found.get(move, [])))
            if not spans:
                continue
            items = []
            for a, b in spans:
                start, end = folded.span(a, b)
                while start < end and folded.original[start].isspace():
                    start += 1
                while end > start and folded.original[end - 1].isspace():
                    end -= 1
                if start < end:
                    items.append(Evidence(move, start, end, folded.original[start:end]))
            if items:
                evidence[move] = tuple(items)
        moves = tuple(evidence)
        return Verdict(folded.original, moves, evidence, grade_moves(moves))


def _is_case_evidence(quoted: str, patterns: dict[str, re.Pattern[str]]) -> bool:
    return bool(patterns["case_markers"].fullmatch(quoted) or _FIGURE.fullmatch(quoted))


def _inside(spans: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    return any(span[0] <= a < span[1] for a, _ in spans)


def _topic_beyond_time(topic: re.Match[str] | None, patterns: dict[str, re.Pattern[str]], text: str) -> bool:
    """Whether a question asks about something other than when to meet."""
    if topic is None:
        return False
    time_words = {"khi nao", "thoi gian", "timeline", "when do you"}
    return any(m.group() not in time_words for m in patterns["probe_topics"].finditer(text))


def _sentences(text: str, coach: Coach) -> list[_Sentence]:
    out = []
    cursor = 0
    for boundary in [*_BOUNDARY.finditer(text), None]:
        end = boundary.end() if boundary else len(text)
        body = text[cursor:end]
        start, cursor = cursor, end
        stripped = body.strip(" .!;\n")
        if not stripped.strip("?"):
            continue
        words = stripped.split()
        is_question = "?" in body or (
            bool(words) and (words[0] in coach.book.question_start and len(words) > 3 and "?" in text)
        ) or coach.book.patterns["question_inside"].search(stripped) is not None
        out.append(_Sentence(start, end, body, is_question))
    return out


def feedback(verdict: Verdict, lang: str, scenario: Scenario | None = None) -> dict[str, Any]:
    """What to drop, what to add for the next grade, in the trainee's language, and a better reply."""
    drop, add = missing_for_next_grade(verdict.moves)
    advice = default_cues()["advice"]
    lang = lang if lang in ("vi", "en") else "en"
    tips = [advice[m]["drop"][lang] for m in drop] + [advice[m]["add"][lang] for m in add]
    result: dict[str, Any] = {"drop": drop, "add": add, "advice": tips}
    if scenario is not None:
        result["better_reply"] = scenario.model_reply[lang]
    return result
