"""export: what a workspace holds, written back as a SharePack, so hand-made pipelines can be adopted.

The mapping is the inverse of `desired/pipelines.py`, `desired/jobs.py` and
`schedule/job_settings.py`: every exported value is one that, applied again, produces the
settings the workspace already has. That is the round trip the export promises — `sharepack
plan` on the exported file shows no changes for what the pack itself made, and only the adoption
(sharepack's tags, the `run_date` parameter) for what was made by hand. What has no SharePack
form is left out and listed in the file's header.

The pipelines and jobs become the pack's document in `export_document`, their settings the pack's
values in `export_settings`, the shares and recipients in `export_sharing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import yaml

from sharepack.ops.export_document import SHARE_CONFIG, DocumentBuilder, ExportedPipeline
from sharepack.ops.export_sharing import header_lines, read_sharing

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100


@dataclass
class ExportResult:
    text: str  # the YAML, header included
    pack_name: str
    pipelines: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    shares: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack_name,
            "pipelines": self.pipelines,
            "jobs": self.jobs,
            "shares": self.shares,
            "recipients": self.recipients,
            "left_out": self.notes,
            "warnings": self.warnings,
        }


def like_filter(pattern: str) -> str:
    """`name LIKE '<pattern>'` with the user's wildcards kept and quotes doubled."""
    return "name LIKE '" + pattern.replace("'", "''") + "'"


def export_workspace(
    client: WorkspaceClient,
    *,
    source: str,
    name_like: str | None = None,
    pack_name: str | None = None,
    parallelism: int = 8,
    now: datetime | None = None,
) -> ExportResult:
    """Read the workspace's pipelines (filtered by `name_like`), the jobs that run them, and the
    shares and recipients (see `export_sharing` for what the filter means for them)."""
    pipelines = _read_pipelines(client, name_like, parallelism)
    jobs = [
        (int(j.job_id or 0), j.settings.as_dict())
        for j in client.jobs.list(expand_tasks=True, limit=PAGE_SIZE)
        if j.settings is not None
    ]
    sharing = read_sharing(
        client,
        name_like=name_like,
        pipeline_shares={
            str(s) for p in pipelines if (s := (p.spec.get("configuration") or {}).get(SHARE_CONFIG))
        },
        parallelism=parallelism,
    )
    builder = DocumentBuilder(pipelines, jobs, pack_name, sharing)
    document = builder.build()
    header = _header(source, name_like, builder, now or datetime.now(UTC))
    return ExportResult(
        text=header + _dump(document),
        pack_name=builder.pack_name,
        pipelines=[p["name_prefix"] for p in builder.exported_pipelines],
        jobs=builder.exported_jobs,
        shares=[s["name"] for s in document.get("share", [])],
        recipients=[r["name"] for r in document.get("recipient", [])],
        notes=[*builder.notes, *sharing.notes],
        warnings=[*builder.warnings, *sharing.warnings],
    )


def _read_pipelines(
    client: WorkspaceClient, name_like: str | None, parallelism: int
) -> list[ExportedPipeline]:
    kwargs: dict[str, Any] = {"max_results": PAGE_SIZE}
    if name_like:
        kwargs["filter"] = like_filter(name_like)
    found = [
        (info.pipeline_id, info.name)
        for info in client.pipelines.list_pipelines(**kwargs)
        if info.pipeline_id and info.name
    ]

    def fetch(item: tuple[str, str]) -> ExportedPipeline:
        response = client.pipelines.get(item[0])
        spec = response.spec.as_dict() if response.spec else {}
        return ExportedPipeline(pipeline_id=item[0], name=item[1], spec=spec)

    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(found) or 1))) as pool:
        return sorted(pool.map(fetch, found), key=lambda p: p.name)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the example packs do.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # The loader reads YAML 1.2, where `yes`/`on` stay text; quoting them keeps 1.1 readers right too.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def _literal(value: Any) -> Any:
    """Values as the loader will read them back: it substitutes `${...}` in every value (never in
    keys), so a workspace name holding `${` is written `$${` and re-planning finds the same name."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {key: _literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_literal(item) for item in value]
    return value


def _dump(document: Mapping[str, Any]) -> str:
    return yaml.dump(
        _literal(document),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=110,
    )


def _header(source: str, name_like: str | None, builder: DocumentBuilder, now: datetime) -> str:
    lines = [
        f"# Exported by `sharepack export` from {source} on {now.strftime('%Y-%m-%d %H:%M UTC')}"
        + (f", pipelines named LIKE '{name_like}'." if name_like else "."),
        "# It declares the pipelines found and the jobs that schedule them, so that sharepack can",
        "# manage them from now on. Check it with `sharepack plan` on this file: what sharepack made",
        "# shows no changes; what was made by hand shows as `adopt` (apply adds sharepack's tags and",
        "# the run_date job parameter, and from then on the YAML is the source of truth).",
    ]
    if builder.guessed_sources:
        lines.append(
            "# source_asset is not recorded on hand-made pipelines; it was guessed for: "
            + ", ".join(builder.guessed_sources)
            + " — put the table each one syncs."
        )
    lines.extend(header_lines(builder.sharing, name_like))
    lines.extend(f"# Warning: {warning}" for warning in [*builder.warnings, *builder.sharing.warnings])
    lines.extend(f"# Not exported: {note}" for note in [*builder.notes, *builder.sharing.notes])
    return "\n".join(lines) + "\n"
