"""`sharepack convert`: a workbook to reviewed YAML, and back.

Workbook → YAML writes the data the workbook reader gives (the same a YAML pack would give), so
the YAML plans exactly as the workbook did. YAML → workbook writes the reference layout; what a
sheet cannot hold (targets, variables, orchestrations, a share asset's mapping form, ...) is
refused by name rather than silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sharepack.errors import SpecError, SpecProblem, UsageError
from sharepack.pack.workbook import SHEETS, compose_workbook, is_workbook

RECIPIENT_COLUMNS = (
    "name",
    "type",
    "recipient",
    "recipient_databricks_org",
    "recipient_ips_to_add",
    "recipient_ips_to_remove",
    "token_expiry",
    "token_rotation",
    "comment",
)
SHARE_COLUMNS = (
    "name",
    "comment",
    "recipients",
    "share_assets",
    "ext_catalog_name",
    "ext_schema_name",
    "tags",
)
PIPELINE_COLUMNS = (
    "share_name",
    "name_prefix",
    "source_asset",
    "target_asset",
    "scd_type",
    "key_columns",
    "serverless",
    "notification",
    "tags",
    "schedule_cron",
    "schedule_timezone",
    "description",
)
_WORKBOOK_TOP = ("metadata", "recipient", "share")


def convert(source: Path, out: Path) -> None:
    if is_workbook(source) and not is_workbook(out):
        _workbook_to_yaml(source, out)
    elif not is_workbook(source) and is_workbook(out):
        _yaml_to_workbook(source, out)
    else:
        raise UsageError(
            "convert turns a workbook into YAML or YAML into a workbook, "
            f"not {source.suffix} into {out.suffix}",
            hint="sharepack convert pack.xlsx --out pack.yaml (or pack.yaml --out pack.xlsx)",
        )


def _workbook_to_yaml(source: Path, out: Path) -> None:
    from sharepack.pack import in_cells

    composed = compose_workbook(source, str(source))
    if composed.problems:
        raise SpecError(problems=[in_cells(p) for p in composed.problems])
    data = composed.data
    if isinstance(data, dict):
        data = {**data, "metadata": _with_identity(data.get("metadata"), source)}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    out.write_text(f"# Converted from {source.name} by `sharepack convert`.\n{text}", encoding="utf-8")


def _yaml_to_workbook(source: Path, out: Path) -> None:
    from openpyxl import Workbook

    from sharepack.pack.yaml_loader import load_yaml

    data, _ = load_yaml(source)
    if not isinstance(data, dict):
        raise SpecError(problems=[SpecProblem(str(source), 1, 1, "a SharePack is a mapping of keys")])
    left_out = [key for key in data if key not in _WORKBOOK_TOP]
    shares = data.get("share") or []
    recipients = data.get("recipient") or []
    rows: dict[str, list[dict[str, Any]]] = {"recipient": [], "share": [], "pipelines": []}
    for recipient in recipients:
        rows["recipient"].append(
            {k: _cell(v, f"recipient {recipient.get('name')}.{k}", left_out) for k, v in recipient.items()}
        )
    for share in shares:
        row: dict[str, Any] = {}
        for key, value in share.items():
            if key == "pipelines":
                for pipeline in value or []:
                    rows["pipelines"].append(_pipeline_row(share.get("name"), pipeline, left_out))
            elif key == "delta_share":
                for inner, inner_value in (value or {}).items():
                    row[inner] = _cell(
                        inner_value, f"share {share.get('name')}.delta_share.{inner}", left_out
                    )
            else:
                row[key] = _cell(value, f"share {share.get('name')}.{key}", left_out)
        rows["share"].append(row)
    if left_out:
        raise UsageError(
            f"{source}: a workbook cannot hold " + ", ".join(left_out),
            hint="keep this pack in YAML, or remove those keys first",
        )
    book = Workbook()
    metadata = book.active
    assert metadata is not None
    metadata.title = SHEETS[0]
    metadata.append(["Field", "Value"])
    for key, value in _with_identity(data.get("metadata"), source).items():
        metadata.append([key, _cell(value, f"metadata.{key}", left_out)])
    for sheet, columns in (
        ("recipient", RECIPIENT_COLUMNS),
        ("share", SHARE_COLUMNS),
        ("pipelines", PIPELINE_COLUMNS),
    ):
        extra = [k for row in rows[sheet] for k in row if k not in columns]
        header = [*columns, *dict.fromkeys(extra)]
        table = book.create_sheet(sheet)
        table.append(header)
        for row in rows[sheet]:
            table.append([row.get(column) for column in header])
    _as_text(book)
    book.save(out)


def _with_identity(metadata: Any, source: Path) -> dict[str, Any]:
    """The metadata with the pack's identity written both ways, `name` and `project_name`: the
    converted file is the same pack as its source, whatever it is called."""
    from sharepack.pack.resolve import pack_identity

    given = dict(metadata) if isinstance(metadata, dict) else {}
    name = given.get("name")
    project = given.get("project_name")
    identity, _ = pack_identity(
        name if isinstance(name, str) else None, project if isinstance(project, str) else None, source
    )
    written = {"name": identity, **given} if name is None else given
    if project is None:
        written["project_name"] = identity
    return written


def _as_text(book: Any) -> None:
    """Text stays text: a value such as `=HYPERLINK(...)` is stored as a string, never as a
    formula, and one starting with = + - @ is quote-prefixed so Excel keeps it text on edit too."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value[:1] in ("=", "+", "-", "@"):
                        cell.quotePrefix = True


def _pipeline_row(share: Any, pipeline: dict[str, Any], left_out: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"share_name": share}
    where = f"pipeline {pipeline.get('name_prefix')}"
    for key, value in pipeline.items():
        if key == "schedule":
            if isinstance(value, str):
                row["schedule_cron"] = value
            elif isinstance(value, dict) and set(value) <= {"cron", "timezone"}:
                row["schedule_cron"] = value.get("cron")
                row["schedule_timezone"] = value.get("timezone")
            else:
                left_out.append(f"{where}.schedule (only cron and timezone fit in the sheet)")
        elif key == "tags" and isinstance(value, dict):
            row["tags"] = ";".join(f"{k}:{v}" for k, v in value.items())
        else:
            row[key] = _cell(value, f"{where}.{key}", left_out)
    return row


def _cell(value: Any, where: str, left_out: list[str]) -> Any:
    """A value as one cell: lists comma-separated; mappings do not fit."""
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return ", ".join(value)
        left_out.append(f"{where} (a list of mappings)")
        return None
    if isinstance(value, dict):
        left_out.append(f"{where} (a mapping)")
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
