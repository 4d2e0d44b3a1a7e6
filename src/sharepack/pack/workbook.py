"""Excel workbooks in the share-pack format users hold, read into the data a YAML pack gives.

One sheet per section (`metadata` as Field/Value rows; `recipient`, `share`, `pipelines` with
column names in the first row). Cells become what the YAML loader would have produced — comma
lists, `key:value;key:value` tags, the pipeline rows under their share, the schedule from its two
columns — with positions, so every check of a YAML pack runs unchanged and points at a cell.

Positions are (line, column) as for YAML, the line encoding the sheet: `sheet_number * ROW_SPAN +
row`; `cell_of` turns one back into `pipelines!F3`.

The reader is bounded: a size cap before opening, macro-enabled workbooks refused, no formula is
evaluated (the values Excel cached when it saved are read), and rows and columns are capped.
The checks on the file itself, before it is parsed, are in `workbook_safety`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sharepack.errors import SharepackError, SpecProblem, did_you_mean
from sharepack.pack.positions import NodePos, PositionIndex
from sharepack.pack.workbook_safety import checked_bytes, not_a_workbook, reason
from sharepack.pack.yaml_loader import Composed

SHEETS = ("metadata", "recipient", "share", "pipelines")
ROW_SPAN = 1_000_000  # lines per sheet in encoded positions
MAX_ROWS = 10_000
MAX_COLUMNS = 64
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Columns of the share sheet that are the share's `delta_share`.
_DELTA_SHARE = ("ext_catalog_name", "ext_schema_name", "tags")
# Cells holding a list of names, comma-separated, that the models want as a YAML list.
_LISTS = {"share": ("share_assets", "share_assets_to_add", "tags"), "pipelines": ("notification",)}


# Columns a sheet has that are not keys of the YAML it becomes (they are folded into others).
SHEET_ONLY_COLUMNS = {
    "pipelines": ("share_name", "schedule_cron", "schedule_timezone"),
    "share": ("ext_catalog_name", "ext_schema_name", "tags"),
}
# Keys of the YAML that a sheet spells otherwise: not to be suggested for a mistyped column.
NOT_COLUMNS = {"pipelines": ("schedule",), "share": ("delta_share", "pipelines")}


def column_hint(sheet: str, column: str, keys: list[str]) -> str | None:
    """Did-you-mean for an unknown column, among the columns that sheet can have."""
    choices = [k for k in keys if k not in NOT_COLUMNS.get(sheet, ())] + list(
        SHEET_ONLY_COLUMNS.get(sheet, ())
    )
    return did_you_mean(column, choices) or "columns here: " + ", ".join(choices)


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def cell_of(file: str, line: int, col: int) -> str:
    """`share!B3` for an encoded position (`share` alone for a sheet's own position)."""
    sheet = SHEETS[line // ROW_SPAN - 1] if 1 <= line // ROW_SPAN <= len(SHEETS) else "workbook"
    row = line % ROW_SPAN
    return f"{sheet}!{_letters(col)}{row}" if row else sheet


def _letters(col: int) -> str:
    text = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        text = chr(ord("A") + rest) + text
    return text or "A"


def _pos(sheet: int, row: int, col: int) -> NodePos:
    return NodePos((sheet + 1) * ROW_SPAN + row, col)


def _mapping(pos: NodePos) -> NodePos:
    pos.entries = {}
    return pos


def _put(parent: NodePos, key: str, node: NodePos) -> None:
    assert parent.entries is not None
    parent.entries[key] = (node.line, node.col, node)


def _text(value: Any) -> str | None:
    """A cell as the text YAML would have held; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[SpecProblem] = []

    def problem(self, pos: NodePos, message: str, hint: str | None = None) -> None:
        self.problems.append(SpecProblem(self.file, pos.line, pos.col, message, hint))

    def rows(self, sheet: Any, number: int) -> Iterator[tuple[int, dict[str, tuple[Any, NodePos]]]]:
        """(row number, {column name: (value, position)}) for each non-empty row below the header."""
        header: list[str | None] = []
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if r > MAX_ROWS + 1:
                self.problem(_pos(number, r, 1), f"more than {MAX_ROWS} rows: the rest is not read")
                return
            cells = list(row[:MAX_COLUMNS])
            if r == 1:
                header = [(_text(c) or "").lower().replace(" ", "_") or None for c in cells]
                continue
            found: dict[str, tuple[Any, NodePos]] = {}
            for c, value in enumerate(cells, start=1):
                text = _text(value)
                name = header[c - 1] if c - 1 < len(header) else None
                if text is None:
                    continue
                if len(text) > MAX_CELL_CHARS:
                    self.problem(
                        _pos(number, r, c),
                        f"the cell holds {len(text)} characters; Excel's limit is {MAX_CELL_CHARS}",
                    )
                    continue
                if name is None:
                    self.problem(_pos(number, r, c), "a value in a column without a name in row 1")
                    continue
                found[name] = (text, _pos(number, r, c))
            if found:
                yield r, found

    def metadata(self, sheet: Any) -> tuple[dict[str, Any], NodePos]:
        data: dict[str, Any] = {}
        node = _mapping(_pos(0, 1, 1))
        for _, cells in self.rows(sheet, 0):
            field, value = cells.get("field"), cells.get("value")
            if field is None:
                where = next(iter(cells.values()))[1]
                self.problem(
                    where, "a metadata row needs its key in the `Field` column", "columns: Field, Value"
                )
                continue
            key = str(field[0])
            if key in data:
                self.problem(field[1], f"metadata field {key!r} is given twice")
                continue
            if value is not None:
                data[key] = value[0]
                assert node.entries is not None
                node.entries[key] = (field[1].line, field[1].col, value[1])
        return data, node

    def table(self, sheet: Any, number: int, kind: str) -> list[tuple[int, dict[str, Any], NodePos]]:
        rows = []
        for r, cells in self.rows(sheet, number):
            item: dict[str, Any] = {}
            node = _mapping(_pos(number, r, min(p.col for _, p in cells.values())))
            for name, (text, pos) in cells.items():
                item[name] = _split(text) if name in _LISTS.get(kind, ()) else text
                _put(node, name, pos)
            rows.append((r, item, node))
        return rows

    def tags(self, text: str, pos: NodePos) -> dict[str, str]:
        tags: dict[str, str] = {}
        for piece in text.split(";"):
            if not piece.strip():
                continue
            key, sep, value = piece.partition(":")
            if not sep or not key.strip():
                self.problem(pos, f"tag {piece.strip()!r} is not key:value", "tags are key:value;key:value")
                continue
            tags[key.strip()] = value.strip()
        return tags


def _shares(reader: _Reader, rows: list[tuple[int, dict[str, Any], NodePos]]) -> tuple[list[Any], NodePos]:
    items: list[Any] = []
    node = _pos(2, 1, 1)
    node.items = []
    for _, item, pos in rows:
        publish = {key: item.pop(key) for key in _DELTA_SHARE if key in item}
        if publish:
            assert pos.entries is not None
            first = pos.entries[next(iter(publish))][2]
            inner = _mapping(NodePos(first.line, first.col))
            for key in publish:
                _put(inner, key, pos.entries.pop(key)[2])
            item["delta_share"] = publish
            _put(pos, "delta_share", inner)
        items.append(item)
        node.items.append(pos)
    return items, node


def _attach_pipelines(
    reader: _Reader,
    shares: list[dict[str, Any]],
    share_nodes: NodePos,
    rows: list[tuple[int, dict[str, Any], NodePos]],
) -> None:
    names = [str(share.get("name", "")) for share in shares]
    for _, item, pos in rows:
        assert pos.entries is not None
        owner = item.pop("share_name", None)
        owner_pos = pos.entries.pop("share_name", (0, 0, pos))[2]
        cron, zone = item.pop("schedule_cron", None), item.pop("schedule_timezone", None)
        if cron is not None or zone is not None:
            cron_pos = pos.entries.pop("schedule_cron", None)
            zone_pos = pos.entries.pop("schedule_timezone", None)
            first = cron_pos or zone_pos
            assert first is not None
            schedule_node = _mapping(NodePos(first[0], first[1]))
            if cron is not None and str(cron).strip().lower() == "continuous" and zone is None:
                item["schedule"] = "continuous"
                schedule_node.entries = None
            else:
                item["schedule"] = {k: v for k, v in (("cron", cron), ("timezone", zone)) if v is not None}
                for key, found in (("cron", cron_pos), ("timezone", zone_pos)):
                    if found is not None:
                        _put(schedule_node, key, found[2])
            _put(pos, "schedule", schedule_node)
        if "tags" in item:
            item["tags"] = reader.tags(str(item["tags"]), pos.entries["tags"][2])
        if owner is None:
            reader.problem(pos, "a pipeline row needs `share_name`: the share it syncs a table of")
            continue
        if owner not in names:
            hint = did_you_mean(str(owner), names) or "name a share of the `share` sheet"
            reader.problem(owner_pos, f"{owner!r} is not a share of the `share` sheet", hint)
            continue
        s = names.index(owner)
        shares[s].setdefault("pipelines", []).append(item)
        share_node = share_nodes.items[s] if share_nodes.items else None
        if share_node is not None:
            assert share_node.entries is not None
            if "pipelines" not in share_node.entries:
                listing = NodePos(pos.line, pos.col)
                listing.items = []
                _put(share_node, "pipelines", listing)
            share_node.entries["pipelines"][2].items.append(pos)  # type: ignore[union-attr]


MAX_CELL_CHARS = 32_767  # Excel's own limit on what a cell holds


def compose_workbook(path: str | Path, file: str) -> Composed:
    """The pack in a workbook as the YAML loader would give it: data, positions, problems."""
    import io

    from openpyxl import load_workbook

    content = checked_bytes(Path(path), file)
    reader = _Reader(file)
    root = _mapping(NodePos(1, 1))
    data: dict[str, Any] = {}
    # read_only streams the sheets; data_only reads the values Excel cached for formulas. The
    # bytes already checked are parsed, not the file again (it may have changed since).
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except SharepackError:
        raise
    except Exception as exc:  # a damaged workbook is bad input, said in one line: no traceback
        raise not_a_workbook(file, reason(exc)) from None
    try:
        sheets = {name.strip().lower(): book[name] for name in book.sheetnames}
        for name in sheets:
            if name not in SHEETS:
                hint = did_you_mean(name, SHEETS) or "sheets: " + ", ".join(SHEETS)
                reader.problem(NodePos(1, 1), f"unknown sheet {name!r}", hint)
        if "metadata" in sheets:
            metadata, node = reader.metadata(sheets["metadata"])
            if metadata:
                data["metadata"] = metadata
                _put(root, "metadata", node)
        if "recipient" in sheets:
            rows = reader.table(sheets["recipient"], 1, "recipient")
            data["recipient"] = [item for _, item, _ in rows]
            listing = _pos(1, 1, 1)
            listing.items = [pos for _, _, pos in rows]
            _put(root, "recipient", listing)
        shares: list[Any] = []
        share_nodes = _pos(2, 1, 1)
        share_nodes.items = []
        if "share" in sheets:
            shares, share_nodes = _shares(reader, reader.table(sheets["share"], 2, "share"))
            data["share"] = shares
            _put(root, "share", share_nodes)
        if "pipelines" in sheets:
            _attach_pipelines(reader, shares, share_nodes, reader.table(sheets["pipelines"], 3, "pipelines"))
    except SharepackError:
        raise
    except Exception as exc:  # a sheet is parsed as it is read: damage there is bad input too
        raise not_a_workbook(file, reason(exc)) from None
    finally:
        book.close()
    return Composed(data, PositionIndex(root), reader.problems, fatal=False)
