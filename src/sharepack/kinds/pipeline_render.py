"""What a pipeline about to be created will be, in the few lines a reviewer reads in a text plan.

Drawn only from the settings the plan carries (what `-o json` shows), so the text and the JSON
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sharepack.workspace.ownership import is_managed

# The pipeline's configuration keys sharepack itself writes (desired/pipelines.py).
SHARE = "sharepack.share"
SOURCE = "sharepack.source_asset"
CODE_DIGEST = "sharepack.code_digest"
TARGET_TABLE = "pipelines.target_table"
SCD_TYPE = "pipelines.scd_type"
KEYS = "pipelines.keys"
OWNERSHIP = ("managed_by", "sharepack_pack", "sharepack_adopted")  # said as "ownership tags"
ALERTS = {
    "on-update-failure": "update failure",
    "on-update-fatal-failure": "fatal failure",
    "on-flow-failure": "flow failure",
    "on-update-success": "success",
}


def pipeline_summary(settings: Mapping[str, Any] | None) -> list[str]:
    if not settings:
        return []
    config: Mapping[str, Any] = settings.get("configuration") or {}
    lines = []
    catalog, schema = settings.get("catalog"), settings.get("schema")
    table = config.get(TARGET_TABLE)
    if catalog and schema and table:
        lines.append(f"target: {catalog}.{schema}.{table}")
    elif catalog or schema:
        lines.append(f"target: catalog {catalog or '(default)'}, schema {schema or '(default)'}")
    compute = "serverless" if settings.get("serverless") else "classic compute"
    mode = "continuous" if settings.get("continuous") else "triggered"
    development = ", development mode" if settings.get("development") else ""
    lines.append(f"runs: {compute}, {mode}{development}")
    source = config.get(SOURCE)
    if source:
        share = f" (shared in {config[SHARE]})" if config.get(SHARE) else ""
        lines.append(f"source: {source}{share}")
    sync = _sync_mode(config)
    if sync:
        lines.append(f"sync: {sync}")
    code = [_library_path(lib) for lib in settings.get("libraries") or []]
    if code:
        generated = " (generated: sharepack render shows it)" if CODE_DIGEST in config else ""
        lines.append(f"code: {', '.join(c for c in code if c)}{generated}")
    tags: Mapping[str, Any] = settings.get("tags") or {}
    own = {k: v for k, v in tags.items() if k not in OWNERSHIP}
    marked = " + sharepack's ownership tags" if is_managed(dict(tags)) else ""
    lines.append(f"tags: {', '.join(f'{k}={v}' for k, v in sorted(own.items())) or 'none'}{marked}")
    lines.append(f"notifications: {_notifications(settings.get('notifications') or [])}")
    return lines


def _sync_mode(config: Mapping[str, Any]) -> str | None:
    scd = config.get(SCD_TYPE)
    keys = f" on {config[KEYS]}" if config.get(KEYS) else ""
    if scd in ("1", "2"):
        return f"SCD type {scd}{keys} (changes applied by key)"
    if scd == "full_refresh" or (scd is None and CODE_DIGEST in config):
        return "full refresh (a complete copy on every update; no keys to merge on)"
    return None


def _library_path(library: Mapping[str, Any]) -> str:
    for kind in ("file", "notebook"):
        found = library.get(kind)
        if isinstance(found, Mapping) and found.get("path"):
            return str(found["path"])
    glob = library.get("glob")
    if isinstance(glob, Mapping) and glob.get("include"):
        return str(glob["include"])
    return next(iter(library), "")


def _notifications(notifications: list[Mapping[str, Any]]) -> str:
    said = []
    for notification in notifications:
        who = ", ".join(notification.get("email_recipients") or [])
        when = ", ".join(ALERTS.get(a, a) for a in notification.get("alerts") or [])
        said.append(f"{who} on {when}" if when else who)
    return "; ".join(said) or "none"
