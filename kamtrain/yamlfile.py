"""Reading one YAML content file into plain data plus the line of every value.

Bounded on purpose: content files come from organisations' own banks, so a huge file, an alias bomb
or absurd nesting must end in a clear error, not a hung process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kamtrain.errors import Problem

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 40

Loc = tuple[Any, ...]

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class YamlDoc:
    """A parsed file: its data and, for each location (keys and list indexes), its 1-based line.

    Lines are worked out only when a message needs one: valid files, the common case, skip the
    slower node-by-node walk.
    """

    path: Path
    data: Any
    text: str
    _lines: dict[Loc, int] | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = {}
            node = yaml.compose(self.text, Loader=_Loader)
            if node is not None:
                _to_python(node, (), self._lines, [MAX_NODES], 0)
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` that exists in the file."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class _Invalid(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message


class ProblemError(Exception):
    """The file cannot be read as YAML at all; `problem` says where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def read_yaml(path: Path) -> YamlDoc:
    """Parse `path` into a YamlDoc, or raise ProblemError."""
    try:
        return _read(path)
    except _Invalid as bad:
        raise ProblemError(Problem(path, bad.line, bad.message)) from None


def _read(path: Path) -> YamlDoc:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _Invalid(None, f"file is {size / 1_000_000:.1f} MB; content files are limited to "
                                 f"{MAX_BYTES // 1_000_000} MB (split it into several files)")
        raw = path.read_bytes()
    except OSError as err:
        raise _Invalid(None, f"cannot read the file: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise _Invalid(line, f"file is not UTF-8 (byte 0x{raw[err.start]:02x}); save it as UTF-8") from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise _Invalid(None, "file is empty")
    try:
        if _ANCHOR.search(text) is None:
            data = yaml.load(text, Loader=_FastLoader)
            if _depth(data) <= MAX_DEPTH:
                return YamlDoc(path, data, text)
        # Anchors can multiply into an alias bomb, and deep nesting needs its line: walk the nodes
        # one by one with a budget.
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        raise _syntax_problem(err) from None
    except yaml.YAMLError as err:
        raise _Invalid(None, f"YAML syntax error: {err}") from None
    if node is None:
        raise _Invalid(None, "file is empty")
    lines: dict[Loc, int] = {}
    data = _to_python(node, (), lines, [MAX_NODES], 0)
    return YamlDoc(path, data, text, lines)


_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]")


class _FastLoader(_Loader):
    """The C loader, refusing a key that appears twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise _Invalid(key_node.start_mark.line + 1, "a key must be a plain value")
            if key in seen:
                raise _Invalid(key_node.start_mark.line + 1, f"key '{key}' appears twice in the same mapping")
            seen.add(key)
        return super().construct_mapping(node, deep)


def _depth(data: Any) -> int:
    deepest = 0
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _syntax_problem(err: yaml.MarkedYAMLError) -> _Invalid:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    problem = err.problem or "cannot parse"
    if "tab" in problem or "\t" in problem:
        return _Invalid(line, "tab character in indentation; YAML needs spaces")
    context = f" ({err.context})" if err.context else ""
    return _Invalid(line, f"YAML syntax error: {problem}{context}")


_scalars = yaml.constructor.SafeConstructor()


def _to_python(node: yaml.Node, loc: Loc, lines: dict[Loc, int], budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Invalid(node.start_mark.line + 1,
                       f"more than {MAX_NODES:,} values after expanding aliases; "
                       "remove the anchors/aliases that multiply (an 'alias bomb')")
    if depth > MAX_DEPTH:
        raise _Invalid(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, loc + ("<key>",), {}, budget, depth + 1)
            if isinstance(key, (dict, list)):
                raise _Invalid(key_node.start_mark.line + 1, "a key must be a plain value")
            if key in result:
                raise _Invalid(key_node.start_mark.line + 1, f"key '{key}' appears twice in the same mapping")
            lines[loc + (key,)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, loc + (key,), lines, budget, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, loc + (index,), lines, budget, depth + 1) for index, item in enumerate(node.value)
        ]
    try:
        return _scalars.construct_object(node)
    except yaml.YAMLError as err:
        raise _Invalid(node.start_mark.line + 1, f"cannot read value: {err}") from None
