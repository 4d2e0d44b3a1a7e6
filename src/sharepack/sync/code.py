"""The pipeline source of a sync pipeline, generated from the pack: the code a pipeline runs.

Written against `from pyspark import pipelines as dp`, not the older `import dlt`: Databricks
documents `pyspark.pipelines` as its own module for Lakeflow Declarative Pipelines, and it is
the module of open-source Spark Declarative Pipelines. Every call used here —
`@dp.temporary_view`, `@dp.materialized_view`, `dp.create_streaming_table`,
`dp.create_auto_cdc_flow` with the same arguments — exists on both, so one text runs unchanged on
Databricks and under `spark-pipelines run`: `create_auto_cdc_flow` arrived in open-source Spark
4.2 storing SCD type 1 only, and stores type 2 from 4.3. The one thing open-source Spark lacks is
expectations (`dp.expect_all_or_drop`): the code asks `dp` whether it has them, and where it does
not, the rows the expectation would drop are filtered out instead (uncounted). `make test-pipelines`
(tests/pipelines_spark) runs the text on the open-source engine, SCD 1 on PySpark 4.2 with Delta
sources, SCD 2 on PySpark 4.3; what that proves and what it cannot is in the README. Python, not
pipeline SQL, so that it can also be executed against a recording stand-in of `dp`
(tests/sync/fake_pipelines.py): we test what the code does, not what it looks like.

How the change data feed is applied, and why:
- An update's pre-image is a delete of the old row: an UPDATE that changes the key leaves the old
  key nowhere else to be removed from.
- One commit can hold a delete and an insert of one key (INSERT OVERWRITE, REPLACE WHERE, many
  MERGEs), or an update's pre-image and post-image: `_commit_version` alone ties them, and AUTO CDC
  leaves ties undefined. So the sequence is `2 × _commit_version`, plus 1 for the row a commit
  writes (insert, post-image): within a commit its deletes come first, across commits the order is
  the commits'. One BIGINT, not a struct: a struct `sequence_by` fails on open-source 4.3.
- A row whose key is NULL cannot be merged — AUTO CDC fails the batch, and every run after it
  reads the same batch again — so it is dropped before the flow, by an expectation Databricks
  counts in the pipeline's data quality metrics (`KEYS_NOT_NULL`).
- An SCD 2 target refuses a full refresh (`pipelines.reset.allowed = false`): one would clear its
  history and rebuild it from the source's current rows only.

Names are data, never code: every literal goes through `repr`, and each name Spark parses (the
source's three parts, the target, a key with other characters than letters, digits and `_`) is
quoted with backticks as Spark's parser needs it. The temporary view's name is built from a safe
identifier, never from the user's quoting.

The text is a pure function of the pack: the same pack gives byte-identical source (literals
through `repr`, no timestamps, no ordering from sets), so the uploaded file changes only when
what it syncs changes. Its first line is the ownership mark (see `MARK_PREFIX`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sharepack.pack.names import split_name, unquote
from sharepack.pack.sync_rules import CDF_COLUMNS, SEQUENCE_COLUMN, Mode, sync_mode

if TYPE_CHECKING:
    from sharepack.pack import Pack, ResolvedPipeline

MARK_PREFIX = "# managed by sharepack, pack "
CODE_DIGEST_SETTING = "sharepack.code_digest"  # in the pipeline's configuration
# Where generated files live, per pack: `<root>/<pack>/pipelines/<pipeline>.py`.
DEFAULT_ROOT = "/Workspace/Shared/.sharepack"
DELETE_TYPES = ("delete", "update_preimage")  # the change types applied as deletes
NULL_KEY_EXPECTATION = "key_not_null"  # its name in the pipeline's data quality metrics
RESET_ALLOWED = "pipelines.reset.allowed"  # false on SCD 2 targets: no full refresh wipes history
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class SyncSpec:
    """What one generated pipeline syncs."""

    pack: str
    pipeline: str
    source: str  # catalog.schema.table, as the pack writes it (a part may be in backticks)
    target: str  # a bare table name, unquoted, in the pipeline's own catalog and schema
    mode: Mode
    keys: tuple[str, ...] = ()


def source_library(path: str) -> dict[str, dict[str, str]]:
    """A team's own sync code as a pipeline library: a workspace file keeps its extension,
    a notebook has none."""
    kind = "file" if path.rsplit("/", 1)[-1].endswith((".py", ".sql")) else "notebook"
    return {kind: {"path": path}}


def root_of(pack: Pack) -> str:
    """Where the pack's target keeps what sharepack uploads (`workspace.root_path`)."""
    return (pack.target.root_path if pack.target else None) or DEFAULT_ROOT


def pack_folder(pack: str, root: str = DEFAULT_ROOT) -> str:
    return f"{root.rstrip('/')}/{pack}"


def file_path(pack: str, pipeline: str, root: str = DEFAULT_ROOT) -> str:
    return f"{pack_folder(pack, root)}/pipelines/{pipeline}.py"


def mark(pack: str) -> str:
    return MARK_PREFIX + _one_line(pack)


def owner_of(content: str) -> str | None:
    """The pack whose mark is the file's first line, or None for a file that is not ours."""
    first = content.split("\n", 1)[0]
    return first[len(MARK_PREFIX) :] if first.startswith(MARK_PREFIX) else None


def digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def sync_spec(pack: str, pipeline: ResolvedPipeline) -> SyncSpec | None:
    """What the pipeline syncs, or None when it brings its own code (`libraries`/`notebook`).

    A pipeline that says nothing of how it syncs has no keys to merge on, so it publishes a
    materialized copy; one that uses the format's sync keys is applied as its `scd_type` says."""
    if pipeline.libraries or pipeline.pipeline_source:
        return None
    target = target_table(pipeline)
    return SyncSpec(
        pack, pipeline.name, pipeline.source_asset, target, sync_mode(pipeline), pipeline.key_columns
    )


def target_table(pipeline: ResolvedPipeline) -> str:
    """The bare name of the table the pipeline writes: its `target_asset`, else the source's
    table part — parsed, not split on dots, so a backticked part (a dot inside it too) is one
    name, without its backticks."""
    if pipeline.target_asset:
        return pipeline.target_asset
    parts = split_name(pipeline.source_asset)
    return unquote(parts[-1]) if parts else pipeline.source_asset.rsplit(".", 1)[-1]


def spark_identifier(name: str) -> str:
    """One name as Spark's parser reads it: as it is when plain, else in backticks (a backtick
    inside doubled)."""
    return name if _PLAIN.match(name) else "`" + name.replace("`", "``") + "`"


def spark_table_name(name: str) -> str:
    """A dotted name as the pack writes it (backticked parts allowed), each part quoted for
    Spark only where it needs to be."""
    parts = split_name(name)
    if parts is None:
        return name  # `validate` refuses it; nothing to parse
    return ".".join(spark_identifier(unquote(part)) for part in parts)


def changes_view_name(target: str) -> str:
    """The temporary view of the change feed: a plain identifier whatever the target's name (an
    unquoted identifier cannot start with a digit)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", target)
    return ("_" if safe[:1].isdigit() else "") + safe + "_changes"


def generated_sources(pack: Pack) -> dict[str, str]:
    """Every generated pipeline's source, by pipeline name, in the pack's order."""
    result = {}
    for pipeline in pack.pipelines:
        spec = sync_spec(pack.name, pipeline)
        if spec is not None:
            result[pipeline.name] = render(spec)
    return result


def render(spec: SyncSpec) -> str:
    head = [
        mark(spec.pack),
        f"# Pipeline {_one_line(spec.pipeline)}: generated by sharepack, do not edit by hand —",
        "# change the pack, review with `sharepack render`, and apply.",
        "from pyspark import pipelines as dp",
        "from pyspark.sql import SparkSession",
        "",
        f"SOURCE = {spark_table_name(spec.source)!r}",
        f"TARGET = {spark_identifier(spec.target)!r}",
    ]
    body = _full_refresh() if spec.mode == "full_refresh" else _apply_changes(spec)
    return "\n".join([*head, *body]) + "\n"


def _full_refresh() -> list[str]:
    # A materialized view over a batch read: recomputed whole on every update.
    return [
        "",
        "",
        '@dp.materialized_view(name=TARGET, comment="A copy of " + SOURCE + '
        '", refreshed in full by sharepack")',
        "def copy():",
        "    return SparkSession.active().read.table(SOURCE)",
    ]


def _apply_changes(spec: SyncSpec) -> list[str]:
    keys = "[" + ", ".join(repr(spark_identifier(k)) for k in spec.keys) + "]"
    # Always backticked: in a SQL expression even a plain name may be a keyword (`order`).
    not_null = " AND ".join(f"`{k.replace('`', '``')}` IS NOT NULL" for k in spec.keys)
    deletes = ", ".join(repr(t) for t in DELETE_TYPES)
    sequence = f"_commit_version * 2 + CASE WHEN _change_type IN ({deletes}) THEN 0 ELSE 1 END"
    properties = f", table_properties={{{RESET_ALLOWED!r}: 'false'}}" if spec.mode == "2" else ""
    return [
        f"KEYS = {keys}",
        f"CHANGES = {changes_view_name(spec.target)!r}",
        "# Within a commit a key's delete (or pre-image) comes before its insert (or post-image).",
        f"SEQUENCE = {sequence!r}",
        "# A NULL key cannot be merged: such rows are dropped, and counted where expectations are.",
        f"KEYS_NOT_NULL = {{{NULL_KEY_EXPECTATION!r}: {not_null!r}}}",
        'EXPECTATIONS = hasattr(dp, "expect_all_or_drop")  # open-source Spark has none',
        "",
        "",
        "def changes():",
        "    # The source's change data feed: an update's pre-image is a delete of the old key.",
        "    feed = (",
        "        SparkSession.active()",
        '        .readStream.option("readChangeFeed", "true")',
        "        .table(SOURCE)",
        f'        .selectExpr("*", SEQUENCE + " AS {SEQUENCE_COLUMN}")',
        "    )",
        f"    return feed if EXPECTATIONS else feed.where(KEYS_NOT_NULL[{NULL_KEY_EXPECTATION!r}])",
        "",
        "",
        "if EXPECTATIONS:",
        "    changes = dp.expect_all_or_drop(KEYS_NOT_NULL)(changes)",
        "dp.temporary_view(name=CHANGES)(changes)",
        "",
        f"dp.create_streaming_table(name=TARGET{properties})",
        "dp.create_auto_cdc_flow(",
        "    target=TARGET,",
        "    source=CHANGES,",
        "    keys=KEYS,",
        f"    sequence_by={SEQUENCE_COLUMN!r},",
        f'    apply_as_deletes="_change_type IN ({deletes})",',
        f"    except_column_list={[*CDF_COLUMNS, SEQUENCE_COLUMN]!r},",
        f"    stored_as_scd_type={int(spec.mode)},",
        ")",
    ]


def plan_notes(settings: Mapping[str, Any] | None) -> list[str]:
    """What a plan says of a pipeline whose settings run generated SCD code — derived from the
    settings when the plan is shown, so the plan's JSON (and a saved plan) holds nothing more."""
    configuration = (settings or {}).get("configuration") or {}
    mode = configuration.get("pipelines.scd_type")
    if CODE_DIGEST_SETTING not in configuration or mode not in ("1", "2"):
        return []
    keys = ", ".join(configuration.get("pipelines.keys", "").split(","))
    notes = [
        f"note: rows whose key ({keys}) is NULL are dropped by the expectation {NULL_KEY_EXPECTATION}; "
        "Databricks counts them in the pipeline's data quality metrics (its event log)"
    ]
    if mode == "2":
        notes.append(f"note: SCD 2 target: {RESET_ALLOWED} = false, so a full refresh keeps its history")
    return notes


def _one_line(text: str) -> str:
    return " ".join(text.split())
