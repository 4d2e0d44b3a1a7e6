"""Safe, bounded YAML loading that remembers where every value was written.

The document is built from the parser's event stream by a loop with an explicit stack, never by
recursion, so neither a 10,000-level nesting nor a billion-laughs bomb can exhaust the stack or
memory: depth, node count and alias expansion are counted while building and refused past fixed
limits. Only plain data is built (text, numbers, booleans, null, lists, mappings); any tag
beyond those is refused, so nothing in a SharePack can construct an object or run code. Plain
scalars follow the YAML 1.2 core schema (`yes`, `no`, `on` and dates stay text) and mapping keys
are always text, so `on:` is a key rather than `true`. Duplicate keys are errors.

libyaml's parser (`yaml.CSafeLoader`) is used when PyYAML was built with it; the pure-Python
parser produces the same events, only slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sharepack.errors import SpecError, SpecProblem
from sharepack.spec.files import read_text
from sharepack.spec.positions import NodePos, PositionIndex
from sharepack.spec.yaml_scalars import NOT_A_SCALAR, convert_tagged, plain_scalar

MAX_DEPTH = 100
MAX_NODES = 1_000_000
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add on top of those written out

_Loader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_CORE = "tag:yaml.org,2002:"
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MERGE = object()  # the `<<` key
_BAD_KEY = object()  # a key that could not be used; its value is dropped


@dataclass
class Composed:
    """A loaded document: its data, positions, and the problems found (fatal ones stop validation)."""

    data: Any
    index: PositionIndex
    problems: list[SpecProblem] = field(default_factory=list)
    fatal: bool = False


class _Fatal(Exception):
    def __init__(self, problem: SpecProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_yaml(path: str | Path) -> tuple[Any, PositionIndex]:
    """The data of a YAML file and where each value was written; raises SpecError on any problem."""
    composed = compose(read_text(path), str(path))
    if composed.problems:
        raise SpecError(problems=composed.problems)
    return composed.data, composed.index


def compose(text: str, file: str) -> Composed:
    """Build the data and positions of a single-document YAML text."""
    builder = _Builder(text, file)
    try:
        _refuse_unprintable(text, file)
        return builder.document()
    except _Fatal as exc:  # what was found before the fatal problem is reported too
        return Composed(None, PositionIndex(NodePos(1, 1)), [*builder.problems, exc.problem], fatal=True)


def _refuse_unprintable(text: str, file: str) -> None:
    found = _NOT_PRINTABLE.search(text)
    if found:
        line, col = _line_col(text, found.start())
        raise _Fatal(
            SpecProblem(
                file,
                line,
                col,
                f"control character U+{ord(found.group()):04X} is not allowed in YAML",
                "remove it; is this a binary file?",
            )
        )


def _line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Frame:
    """An open mapping or list while its events are being read."""

    __slots__ = ("anchor", "key", "key_col", "key_line", "merges", "pos", "start", "value")

    def __init__(self, value: Any, pos: NodePos, anchor: str | None, start: int) -> None:
        self.value = value
        self.pos = pos
        self.anchor = anchor
        self.start = start  # node count when the frame opened: its size is the difference
        self.key: Any = None  # for a mapping: the key waiting for its value, None when expecting a key
        self.key_line = 0
        self.key_col = 0
        self.merges: list[tuple[Any, NodePos, int, int]] = []


class _Builder:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.problems: list[SpecProblem] = []
        self.fatal = False
        self.anchors: dict[str, tuple[Any, NodePos, int]] = {}
        self.nodes = 0
        self.alias_nodes = 0

    def problem(self, line: int, col: int, message: str, hint: str | None = None, *, fatal: bool) -> None:
        self.problems.append(SpecProblem(self.file, line, col, message, hint))
        self.fatal = self.fatal or fatal

    def document(self) -> Composed:
        loader = _Loader(self.text)
        try:
            loader.get_event()  # stream start
            if loader.check_event(yaml.StreamEndEvent):
                raise _Fatal(self._empty(1, 1))
            loader.get_event()  # document start
            data, pos = self._node(loader)
            loader.get_event()  # document end
            if not loader.check_event(yaml.StreamEndEvent):
                mark = loader.peek_event().start_mark
                raise _Fatal(
                    SpecProblem(
                        self.file,
                        mark.line + 1,
                        mark.column + 1,
                        "a second YAML document starts here; a SharePack file holds one document",
                        "remove the `---` separator, or put each pack in its own file",
                    )
                )
        except yaml.MarkedYAMLError as exc:
            raise _Fatal(self._syntax_problem(exc)) from None
        except yaml.YAMLError as exc:
            raise _Fatal(SpecProblem(self.file, 1, 1, f"invalid YAML: {exc}")) from None
        finally:
            loader.dispose()
        if data is None and not self.problems:
            self.problems.append(self._empty(pos.line, pos.col))
            self.fatal = True
        return Composed(data, PositionIndex(pos), self.problems, self.fatal)

    def _empty(self, line: int, col: int) -> SpecProblem:
        return SpecProblem(
            self.file,
            line,
            col,
            "the file is empty: a SharePack is a mapping with a `share:` list",
            "start from sharepacks/minimal.yaml",
        )

    def _syntax_problem(self, exc: yaml.MarkedYAMLError) -> SpecProblem:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        lines = self.text.splitlines()
        for number in (line, exc.context_mark.line + 1 if exc.context_mark else line):
            text = lines[number - 1] if 0 < number <= len(lines) else ""
            indent = text[: len(text) - len(text.lstrip(" \t"))]
            if "\t" in indent:
                return SpecProblem(
                    self.file,
                    number,
                    indent.index("\t") + 1,
                    "a tab is used for indentation; YAML allows only spaces there",
                    "replace the tab with spaces (configure your editor to insert spaces)",
                )
        problem = (exc.problem or "not valid YAML").strip()
        hint = None
        if exc.context and exc.context_mark:
            hint = f"{exc.context.strip()} that starts at line {exc.context_mark.line + 1}; check indentation"
        return SpecProblem(self.file, line, col, f"invalid YAML: {problem}", hint)

    def _node(self, loader: Any) -> tuple[Any, NodePos]:
        """Read one complete node (with everything nested in it) from the event stream."""
        stack: list[_Frame] = []
        while True:
            event = loader.get_event()
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if isinstance(event, yaml.ScalarEvent):
                self._count(1, line, col)
                in_key = bool(stack) and isinstance(stack[-1].value, dict) and stack[-1].key is None
                value: Any = self._scalar(event, line, col, key=in_key)
                pos = NodePos(line, col)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, pos, 1)
            elif isinstance(event, yaml.AliasEvent):
                value, pos = self._alias(event.anchor or "", line, col)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise _Fatal(
                        SpecProblem(
                            self.file,
                            line,
                            col,
                            f"the document nests deeper than {MAX_DEPTH} levels",
                            "a SharePack needs fewer than 10; is the file generated by mistake?",
                        )
                    )
                self._count(1, line, col)
                is_map = isinstance(event, yaml.MappingStartEvent)
                self._check_collection_tag(event.tag, "map" if is_map else "seq", line, col)
                pos = NodePos(line, col)
                if is_map:
                    pos.entries = {}
                else:
                    pos.items = []
                stack.append(_Frame({} if is_map else [], pos, event.anchor, self.nodes - 1))
                continue
            else:  # the end of a mapping or a list
                frame = stack.pop()
                if frame.merges:
                    self._merge(frame)
                value, pos = frame.value, frame.pos
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (value, pos, self.nodes - frame.start)
            if not stack:
                return value, pos
            self._attach(stack[-1], value, pos)

    def _count(self, added: int, line: int, col: int) -> None:
        self.nodes += added
        if self.nodes > MAX_NODES:
            raise _Fatal(
                SpecProblem(
                    self.file,
                    line,
                    col,
                    f"the document has more than {MAX_NODES:,} values (counting what aliases repeat)",
                    "a SharePack this large is almost certainly a mistake; split it into several packs",
                )
            )

    def _alias(self, anchor: str, line: int, col: int) -> tuple[Any, NodePos]:
        found = self.anchors.get(anchor)
        if found is None:
            self.problem(
                line,
                col,
                f"alias *{anchor} refers to no anchor defined before it",
                f"define `&{anchor}` on a value above this line (an anchor cannot contain its own alias)",
                fatal=True,
            )
            return None, NodePos(line, col)
        value, pos, size = found
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Fatal(
                SpecProblem(
                    self.file,
                    line,
                    col,
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values; refusing to load "
                    "(this is how 'billion laughs' attacks look)",
                    "repeat less through aliases, or write the values out",
                )
            )
        self._count(size, line, col)
        return value, pos

    def _attach(self, frame: _Frame, value: Any, pos: NodePos) -> None:
        if isinstance(frame.value, list):
            frame.value.append(value)
            assert frame.pos.items is not None
            frame.pos.items.append(pos)
            return
        if frame.key is None:  # this node is a key
            if value is not _MERGE and not isinstance(value, str):
                self.problem(
                    pos.line,
                    pos.col,
                    "a mapping key must be text, not a list or a mapping",
                    None,
                    fatal=True,
                )
                value = _BAD_KEY
            frame.key, frame.key_line, frame.key_col = value, pos.line, pos.col
            return
        key, frame.key = frame.key, None
        entries = frame.pos.entries
        assert entries is not None
        if key is _MERGE:
            frame.merges.append((value, pos, frame.key_line, frame.key_col))
        elif key is _BAD_KEY:
            return
        elif key in frame.value:
            first_line = entries[key][0]
            self.problem(
                frame.key_line,
                frame.key_col,
                f"duplicate key {key!r} (first given at line {first_line})",
                "each key may appear once in a mapping; remove or merge one of them",
                fatal=False,
            )
        else:
            frame.value[key] = value
            entries[key] = (frame.key_line, frame.key_col, pos)

    def _merge(self, frame: _Frame) -> None:
        """`<<: *defaults`: keys written in the mapping win over merged ones; earlier merges win."""
        entries = frame.pos.entries
        assert entries is not None
        for value, pos, line, col in frame.merges:
            sources = (
                list(zip(value, pos.items or [], strict=False)) if isinstance(value, list) else [(value, pos)]
            )
            for source, source_pos in sources:
                if not isinstance(source, dict) or source_pos.entries is None:
                    self.problem(line, col, "`<<` merges a mapping or a list of mappings", None, fatal=True)
                    continue
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item
                        entries[key] = source_pos.entries[key]

    def _check_collection_tag(self, tag: str | None, kind: str, line: int, col: int) -> None:
        if tag not in (None, "!", _CORE + kind):
            self._refuse_tag(tag or "", line, col)

    def _refuse_tag(self, tag: str, line: int, col: int) -> None:
        self.problem(
            line,
            col,
            f"the tag {_short_tag(tag)} is not allowed: a SharePack holds plain data "
            "(text, numbers, true/false, lists and mappings)",
            "remove the tag; language-specific tags such as !!python/object could build objects or run code",
            fatal=True,
        )

    def _scalar(self, event: Any, line: int, col: int, *, key: bool) -> Any:
        text: str = event.value
        tag: str | None = event.tag
        if tag is None or tag == "!":
            if key:
                return _MERGE if text == "<<" and event.implicit[0] else text
            return plain_scalar(text) if event.implicit[0] and tag is None else text
        kind = tag[len(_CORE) :] if tag.startswith(_CORE) else None
        if kind == "str":
            return text
        if kind in ("int", "float", "bool", "null"):
            value: Any = plain_scalar(text.strip())
            converted = convert_tagged(kind, value)
            if converted is not NOT_A_SCALAR:
                return str(converted) if key else converted
            self.problem(line, col, f"{text!r} is not a valid !!{kind}", None, fatal=True)
            return text
        self._refuse_tag(tag, line, col)
        return text
