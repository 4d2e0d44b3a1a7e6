"""The SCD 2 case, run on PySpark 4.3 (the first release whose Auto CDC stores type 2).

No Delta Lake runs on Spark 4.3 yet (requirements/spark43.in), so the source is not a Delta table
read through its change data feed: it is a table shaped like that feed — the data columns plus
`_change_type`, `_commit_version` and `_commit_timestamp` — holding, commit by commit, the rows
Delta's feed holds for the statement named beside them, and read as a stream (each INSERT into it
is new data for the next micro-batch). `readChangeFeed` means nothing to it; everything after the
read — the sequence, the deletes, the NULL-key filter, the flow — is the rendered code as it is.

The expected target is what Databricks documents for AUTO CDC with `stored_as_scd_type=2`: one row
per version of a key, `__START_AT` the sequence of the change that wrote it, `__END_AT` the
sequence of the change that ended it (a delete, a key's pre-image) or NULL for the current
version. With the generated sequence (2 × commit version, + 1 for the row a commit writes), a
version written by commit v starts at 2v + 1 and one ended by commit w ends at 2w.
"""

from __future__ import annotations

from typing import Any

from tests.pipelines_spark.cases import SOURCE_DB, TARGET_DB
from tests.pipelines_spark.spark_engine import TARGET_CATALOG

PIPELINE = "leases_history"
TABLE = "leases"
SOURCE = f"spark_catalog.{SOURCE_DB}.{TABLE}"
TARGET = f"{TARGET_CATALOG}.{TARGET_DB}.{TABLE}"
COLUMNS = ["lease_id", "tenant"]
SOURCE_DDL = (
    "lease_id INT, tenant STRING, _change_type STRING, _commit_version BIGINT, _commit_timestamp TIMESTAMP"
)
TARGET_COLUMNS = [*COLUMNS, "__START_AT", "__END_AT"]

Change = tuple[int | None, str, str]  # (lease_id, tenant, _change_type)

# Each entry: one commit, its version, what it was at the source, and the feed rows it made.
FIRST: tuple[tuple[int, str, tuple[Change, ...]], ...] = (
    (
        1,
        "INSERT VALUES (1,'ann'), (2,'bob'), (3,'cy'), (NULL,'nobody')",
        ((1, "ann", "insert"), (2, "bob", "insert"), (3, "cy", "insert"), (None, "nobody", "insert")),
    ),
    (
        2,
        "UPDATE SET tenant = 'bobby' WHERE lease_id = 2  -- pre- and post-image of one key",
        ((2, "bob", "update_preimage"), (2, "bobby", "update_postimage")),
    ),
)
SECOND: tuple[tuple[int, str, tuple[Change, ...]], ...] = (
    (
        3,
        "UPDATE SET lease_id = 10 WHERE lease_id = 1  -- the key changes",
        ((1, "ann", "update_preimage"), (10, "ann", "update_postimage")),
    ),
    (
        4,
        "INSERT OVERWRITE VALUES (2,'bobby'), (3,'cy v2'), (4,'dee')  -- all rows deleted, new inserted",
        (
            (2, "bobby", "delete"),
            (3, "cy", "delete"),
            (10, "ann", "delete"),
            (2, "bobby", "insert"),
            (3, "cy v2", "insert"),
            (4, "dee", "insert"),
        ),
    ),
    (5, "DELETE WHERE lease_id = 4", ((4, "dee", "delete"),)),
    (
        6,
        "INSERT INTO REPLACE WHERE lease_id = 2 VALUES (2,'bob again'), (NULL,'no one')",
        ((2, "bobby", "delete"), (2, "bob again", "insert"), (None, "no one", "insert")),
    ),
)

# (lease_id, tenant, __START_AT, __END_AT)
EXPECTED_FIRST: frozenset[tuple[Any, ...]] = frozenset(
    {
        (1, "ann", 3, None),
        (2, "bob", 3, 4),  # ended by commit 2's pre-image...
        (2, "bobby", 5, None),  # ...and its post-image is the current version
        (3, "cy", 3, None),
    }
)
EXPECTED_SECOND: frozenset[tuple[Any, ...]] = frozenset(
    {
        (1, "ann", 3, 6),  # the old key, closed by commit 3: no current version left
        (10, "ann", 7, 8),  # the new key, then deleted by the overwrite
        (2, "bob", 3, 4),
        (2, "bobby", 5, 8),  # the overwrite deletes it (8) and writes it again (9): the insert wins
        (2, "bobby", 9, 12),
        (2, "bob again", 13, None),  # REPLACE WHERE: the same, within commit 6
        (3, "cy", 3, 8),
        (3, "cy v2", 9, None),
        (4, "dee", 9, 10),
    }
)


def pack_yaml() -> str:
    return (
        "metadata: {name: spark_scd2}\n"
        "share:\n"
        "  - name: history\n"
        f"    share_assets: [{SOURCE}]\n"
        f"    delta_share: {{ext_catalog_name: {TARGET_CATALOG}, ext_schema_name: {TARGET_DB}}}\n"
        "    pipelines:\n"
        f"      - name_prefix: {PIPELINE}\n"
        f"        source_asset: {SOURCE}\n"
        '        scd_type: "2"\n'
        "        key_columns: [lease_id]\n"
    )


def insert_statement(version: int, changes: tuple[Change, ...]) -> str:
    """One commit's feed rows, written to the feed-shaped source in one INSERT."""
    rows = ", ".join(
        f"({'NULL' if key is None else key}, '{tenant}', '{kind}', {version}, "
        f"TIMESTAMP'2026-01-01 00:00:00' + INTERVAL {version} MINUTES)"
        for key, tenant, kind in changes
    )
    return f"INSERT INTO {SOURCE} VALUES {rows}"
