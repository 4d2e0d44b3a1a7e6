"""The sync cases run on Spark: one sharepack pipeline each, with its own Delta source table,
the commits written to it before each run, and the target expected after each run.

Each statement is one Delta commit, so each has its own `_commit_version` — the value the
generated code sequences changes by. `{t}` is the source table.

The first run starts the change-feed stream, which (given no starting version, as the generated
code gives none — on Databricks too) reads the source as it stands, every row an insert: the
first commits reach the target as their net result. Only the second run reads changes commit by
commit — the inserts, updates and deletes made since — so that is where the sequence and the
deletes condition are put to work (a render without `apply_as_deletes` fails there)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from tests.pipelines_spark.spark_engine import TARGET_CATALOG

SOURCE_DB = "src"  # the source tables' schema, in spark_catalog
TARGET_DB = "synced"  # the pipeline's default schema: where its targets land


@dataclass(frozen=True)
class Case:
    pipeline: str
    table: str  # the source table; the target has the same name
    columns: str  # the source's columns, as DDL
    mode: Literal["1", "full_refresh"]
    keys: tuple[str, ...]
    first: tuple[str, ...]  # commits before the first run
    expected_first: frozenset[tuple[Any, ...]]
    second: tuple[str, ...]  # commits between the first run and the second
    expected_second: frozenset[tuple[Any, ...]]

    @property
    def source(self) -> str:
        return f"spark_catalog.{SOURCE_DB}.{self.table}"

    @property
    def catalog(self) -> str:
        """The pipeline's catalog, where its bare-named target lands: Auto CDC targets in the
        row-level catalog, materialized copies in Delta."""
        return TARGET_CATALOG if self.mode == "1" else "spark_catalog"

    @property
    def target(self) -> str:
        return f"{self.catalog}.{TARGET_DB}.{self.table}"

    @property
    def column_names(self) -> list[str]:
        return [part.split()[0] for part in self.columns.split(",")]


CASES = (
    Case(
        pipeline="single_key_sync",
        table="single_key",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=(
            "INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
            "UPDATE {t} SET name = 'bobby' WHERE id = 2",
            "DELETE FROM {t} WHERE id = 3",
        ),
        expected_first=frozenset({(1, "ann"), (2, "bobby")}),
        second=(
            "INSERT INTO {t} VALUES (4, 'dee')",
            "UPDATE {t} SET name = 'anna' WHERE id = 1",
            "DELETE FROM {t} WHERE id = 2",
        ),
        expected_second=frozenset({(1, "anna"), (4, "dee")}),
    ),
    Case(
        # The same id in two regions is two rows: a key of one column would merge them.
        pipeline="composite_key_sync",
        table="composite_key",
        columns="region STRING, id INT, name STRING",
        mode="1",
        keys=("region", "id"),
        first=(
            "INSERT INTO {t} VALUES ('eu', 1, 'ann'), ('us', 1, 'bob'), ('eu', 2, 'cy')",
            "UPDATE {t} SET name = 'bobby' WHERE region = 'us' AND id = 1",
            "DELETE FROM {t} WHERE region = 'eu' AND id = 2",
        ),
        expected_first=frozenset({("eu", 1, "ann"), ("us", 1, "bobby")}),
        second=(
            "INSERT INTO {t} VALUES ('us', 2, 'dee')",
            "DELETE FROM {t} WHERE region = 'eu' AND id = 1",
        ),
        expected_second=frozenset({("us", 1, "bobby"), ("us", 2, "dee")}),
    ),
    Case(
        # Inserted, updated and deleted before the first run: never in the target. Inserted again
        # after it: back in the target.
        pipeline="update_then_delete_sync",
        table="update_then_delete",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=(
            "INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob')",
            "UPDATE {t} SET name = 'anna' WHERE id = 1",
            "DELETE FROM {t} WHERE id = 1",
        ),
        expected_first=frozenset({(2, "bob")}),
        second=("INSERT INTO {t} VALUES (1, 'ann again')",),
        expected_second=frozenset({(1, "ann again"), (2, "bob")}),
    ),
    Case(
        # Two updates to one key in the second run's micro-batch, their values sorting opposite to
        # their commit order: the change with the highest _commit_version wins, whatever order
        # the rows of the batch come in.
        pipeline="out_of_order_sync",
        table="out_of_order",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=(
            "INSERT INTO {t} VALUES (1, 'z'), (2, 'keep')",
            "UPDATE {t} SET name = 'y' WHERE id = 1",
            "UPDATE {t} SET name = 'x' WHERE id = 1",
            "UPDATE {t} SET name = 'w' WHERE id = 1",
        ),
        expected_first=frozenset({(1, "w"), (2, "keep")}),
        second=(
            "UPDATE {t} SET name = 'b' WHERE id = 2",
            "UPDATE {t} SET name = 'a' WHERE id = 2",
        ),
        expected_second=frozenset({(1, "w"), (2, "a")}),
    ),
    Case(
        # No keys: a materialized copy, recomputed whole on each run — deletes included.
        pipeline="full_copy_refresh",
        table="full_copy",
        columns="id INT, name STRING",
        mode="full_refresh",
        keys=(),
        first=(
            "INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
            "UPDATE {t} SET name = 'bobby' WHERE id = 2",
            "DELETE FROM {t} WHERE id = 3",
        ),
        expected_first=frozenset({(1, "ann"), (2, "bobby")}),
        second=(
            "DELETE FROM {t} WHERE id = 1",
            "INSERT INTO {t} VALUES (4, 'dee')",
        ),
        expected_second=frozenset({(2, "bobby"), (4, "dee")}),
    ),
)


@dataclass(frozen=True)
class WrongKeys:
    """A case's rendered code broken on purpose — merged by its first key only — and run beside it
    on the same source, into a target of its own: the row comparison must tell the two apart, or
    it could not catch a key list rendered wrong."""

    of: Case
    table: str
    expected_second: frozenset[tuple[Any, ...]]  # after the second run

    @property
    def target(self) -> str:
        return f"{self.of.catalog}.{TARGET_DB}.{self.table}"

    def break_code(self, code: str) -> str:
        edits = {
            r"^KEYS = .*$": f"KEYS = {list(self.of.keys[:1])!r}",
            r"^TARGET = .*$": f"TARGET = {self.table!r}",
            r"^CHANGES = .*$": f"CHANGES = {self.table + '_changes'!r}",
        }
        for line, broken in edits.items():
            code, found = re.subn(line, broken, code, flags=re.MULTILINE)
            assert found == 1, f"the rendered code has {found} lines matching {line!r}, not one"
        return code


WRONG_KEYS = WrongKeys(
    of=CASES[1],
    table="composite_key_by_region",
    # By region alone, the second run's insert of ('us', 2) replaces ('us', 1) and its delete of
    # ('eu', 1) removes the region. After the first run the two targets agree: it reads the
    # source's snapshot, one row per region.
    expected_second=frozenset({("us", 2, "dee")}),
)


def pack_yaml(cases: tuple[Case, ...] = CASES) -> str:
    """The SharePack whose pipelines are the cases: `sharepack render` turns it into their code."""
    lines = [
        "metadata: {name: spark_cases}",
        "share:",
        "  - name: spark_cases",
        f"    share_assets: [{', '.join(case.source for case in cases)}]",
        f"    delta_share: {{ext_catalog_name: spark_catalog, ext_schema_name: {TARGET_DB}}}",
        "    pipelines:",
    ]
    for case in cases:
        lines += [
            f"      - name_prefix: {case.pipeline}",
            f"        source_asset: {case.source}",
            f"        scd_type: {case.mode}",
        ]
        if case.keys:
            lines.append(f"        key_columns: [{', '.join(case.keys)}]")
    return "\n".join(lines) + "\n"
