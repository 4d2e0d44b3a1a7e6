"""Where each value of a YAML document was written, so that every problem points at its node.

The loader builds a `NodePos` tree parallel to the data (a mapping's entries keep the position of
their key and of their value); `PositionIndex` answers "where is this path?" for paths made of
mapping keys and list indices, the shape of pydantic error locations. A tree rather than a flat
map from path tuples keeps building it linear however deep the document nests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]
Mark = tuple[int, int]  # (line, column), both 1-based


class NodePos:
    """The position of one node, and of its children when it is a mapping or a list."""

    __slots__ = ("col", "entries", "items", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        # mapping: key -> (key line, key column, value position); list: positions of the items.
        self.entries: dict[str, tuple[int, int, NodePos]] | None = None
        self.items: list[NodePos] | None = None

    @property
    def mark(self) -> Mark:
        return (self.line, self.col)

    def child(self, segment: str | int) -> NodePos | None:
        if self.entries is not None and isinstance(segment, str):
            entry = self.entries.get(segment)
            return entry[2] if entry else None
        if self.items is not None and isinstance(segment, int) and 0 <= segment < len(self.items):
            return self.items[segment]
        return None

    def key_mark(self, key: str) -> Mark | None:
        if self.entries is None:
            return None
        entry = self.entries.get(key)
        return (entry[0], entry[1]) if entry else None


@dataclass(frozen=True)
class Located:
    """The nearest node found for a path, and how much of the path it matched."""

    mark: Mark
    matched: Path  # the segments of the path that name real YAML nodes


class PositionIndex:
    """Positions of a loaded document, looked up by path (mapping keys and list indices)."""

    def __init__(self, root: NodePos) -> None:
        self.root = root

    def node(self, path: Sequence[str | int]) -> NodePos | None:
        current: NodePos | None = self.root
        for segment in path:
            if current is None:
                return None
            current = current.child(segment)
        return current

    def position(self, path: Sequence[str | int]) -> Mark:
        """The position of the value at `path`, or of its nearest existing ancestor."""
        return self.locate(path).mark

    def key_position(self, path: Sequence[str | int]) -> Mark:
        """The position of the key that names the value at `path` (for a list item: the item)."""
        if not path:
            return self.root.mark
        parent = self.node(path[:-1])
        last = path[-1]
        if parent is not None and isinstance(last, str):
            mark = parent.key_mark(last)
            if mark is not None:
                return mark
        return self.position(path)

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Located:
        """Follow `path` as far as the document allows.

        Segments that name no node are skipped rather than ending the walk: pydantic locations
        carry segments that are not YAML keys (a union member's tag, a type name such as `str`),
        and the nodes after them are still the best place to point at. With `key`, the result is
        the position of the last segment's key rather than its value.
        """
        current = self.root
        matched: list[str | int] = []
        key_mark: Mark | None = None
        for segment in path:
            nxt = current.child(segment)
            if nxt is None:
                key_mark = None
                continue
            key_mark = current.key_mark(segment) if isinstance(segment, str) else nxt.mark
            current = nxt
            matched.append(segment)
        if key and key_mark is not None:  # the last segment named a node: point at its key
            return Located(key_mark, tuple(matched))
        return Located(current.mark, tuple(matched))


def render_path(path: Sequence[str | int]) -> str:
    """`share[0].pipelines[1].schedule`: how a path is shown in messages."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text
