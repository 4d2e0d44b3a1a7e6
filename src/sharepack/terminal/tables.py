"""Tables that fit the terminal without cutting a word in two.

rich shrinks columns below their longest word and then folds words (`exis/ts`). Here the layout is
chosen when the table is printed, for the width it is printed at: the whole table when every
column gets at least its longest word; else the same table without the columns marked droppable
(IDs, links: `--output json` has them); else one `key: value` block per row, which fits anything
but takes more lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table
    from rich.text import Text

PADDING = 1  # each side of a cell, as rich's default


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "left"
    # Kept on one line (IDs, URLs, numbers): wrapping them helps nobody.
    one_line: bool = False
    # May be left out of a narrow table, lowest first; None: always shown.
    drop: int | None = None


@dataclass
class _Row:
    cells: list[Text]
    style: str | None


@dataclass
class FitTable:
    """A table whose layout is chosen for the width it is printed at (see the module docstring)."""

    columns: Sequence[Column]
    title: str | None = None
    # What to tell the reader when droppable columns are left out, e.g. "--output json has them".
    dropped_hint: str = ""
    rows: list[_Row] = field(default_factory=list)

    def add_row(self, *cells: str | Text, style: str | None = None) -> None:
        from rich.text import Text

        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(_Row([c if isinstance(c, Text) else Text(c) for c in cells], style))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        width = options.max_width
        shown = list(range(len(self.columns)))
        for index in sorted(
            (i for i, c in enumerate(self.columns) if c.drop is not None),
            key=lambda i: self.columns[i].drop or 0,
        ):
            if _table_width([self._bounds(i)[0] for i in shown]) <= width:
                break
            shown.remove(index)
        mins = [self._bounds(i)[0] for i in shown]
        if _table_width(mins) > width:
            yield from self._blocks(console, width)
            return
        yield self._table(shown, _distribute(width, [self._bounds(i) for i in shown]))
        left_out = [self.columns[i].header for i in range(len(self.columns)) if i not in shown]
        if left_out:
            note = f"Not shown at this width: {', '.join(left_out)}"
            # no_wrap=False: the console soft-wraps, which would leave the terminal to cut words.
            yield Text(note + (f" ({self.dropped_hint})." if self.dropped_hint else "."), style="dim",
                       no_wrap=False)  # fmt: skip

    def _bounds(self, index: int) -> tuple[int, int]:
        """(narrowest, widest) the column can be: its longest word, its longest line."""
        column = self.columns[index]
        texts = [column.header, *(row.cells[index].plain for row in self.rows)]
        return (
            max(_longest(texts, words=not column.one_line), 1),
            max(_longest(texts, words=False), 1),
        )

    def _table(self, shown: list[int], widths: list[int]) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(self.title) if self.title else None, title_justify="left")
        for index, width in zip(shown, widths, strict=True):
            column = self.columns[index]
            # Widths are never below the longest word, so "ellipsis" is never reached; not "fold".
            table.add_column(column.header, justify=column.justify, width=width, no_wrap=column.one_line,
                             overflow="ellipsis")  # fmt: skip
        for row in self.rows:
            table.add_row(*(row.cells[i] for i in shown), style=row.style)
        return table

    def _blocks(self, console: Console, width: int) -> Iterable[Text]:
        from rich.cells import cell_len
        from rich.text import Text

        if self.title:
            yield Text(self.title, no_wrap=False)
        keys = [f"{c.header}:" for c in self.columns[1:]]
        label_width = 2 + max((cell_len(k) for k in keys), default=0) + 1
        for row in self.rows:
            yield Text("")
            yield Text.assemble(row.cells[0], style=row.style or "bold", no_wrap=False)
            for key, cell in zip(keys, row.cells[1:], strict=True):
                # Only a word longer than the whole line is folded: there is no other way to show it.
                lines = cell.wrap(console, max(width - label_width, 1), justify="default", overflow="fold")
                for number, line in enumerate(lines):
                    label = f"  {key}".ljust(label_width) if number == 0 else " " * label_width
                    line.rstrip()
                    yield Text.assemble(label, line, style=row.style or "")


def _longest(texts: Iterable[str], *, words: bool) -> int:
    from rich.cells import cell_len

    parts = (p for text in texts for p in (text.split() if words else text.splitlines()))
    return max((cell_len(p) for p in parts), default=0)


def _table_width(widths: Sequence[int]) -> int:
    """The printed width of a boxed table whose columns hold `widths` characters."""
    return sum(widths) + len(widths) * 2 * PADDING + len(widths) + 1


def _distribute(width: int, bounds: Sequence[tuple[int, int]]) -> list[int]:
    """Widths from each column's narrowest up: the room left goes first to the columns that need
    the least to fit on one line, so as few cells as possible wrap."""
    widths = [low for low, _ in bounds]
    spare = width - _table_width(widths)
    for index in sorted(range(len(bounds)), key=lambda i: bounds[i][1] - bounds[i][0]):
        give = max(0, min(bounds[index][1] - widths[index], spare))
        widths[index] += give
        spare -= give
    return widths
