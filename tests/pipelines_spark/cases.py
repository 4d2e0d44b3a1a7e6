"""The sync cases run on Spark: one sharepack pipeline each, with its own Delta source table,
the commits written to it before each run, and the target expected after each run.

Each statement is one Delta commit, so each has its own `_commit_version` — the value the
generated code sequences changes by. `{t}` is the source table.

The first run starts the change-feed stream, which (given no starting version, as the generated
code gives none — on Databricks too) reads the source as it stands, every row an insert: the
first commits reach the target as their net result. Only the second run reads changes commit by
commit — the inserts, updates and deletes made since — so that is where the sequence and the
deletes condition are put to work (a render without `apply_as_deletes` fails there).

The change patterns are the ones real sources produce: an UPDATE that changes the key (its
pre-image must delete the old key), INSERT OVERWRITE and REPLACE WHERE (a delete and an insert of
one key in one commit: the insert must win), a NULL key (dropped, and the pipeline keeps running),
names that need backticks, and a column added to the source between runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from tests.pipelines_spark.spark_engine import TARGET_CATALOG, quoted

SOURCE_DB = "src"  # the source tables' schema, in spark_catalog
TARGET_DB = "synced"  # the pipeline's default schema: where its targets land


@dataclass(frozen=True)
class Case:
    pipeline: str
    table: str  # the source table, unquoted; the target has the same name unless target_asset says
    columns: str  # the source's columns, as DDL
    mode: Literal["1", "full_refresh"]
    keys: tuple[str, ...]
    first: tuple[str, ...]  # commits before the first run
    expected_first: frozenset[tuple[Any, ...]]
    second: tuple[str, ...]  # commits between the first run and the second
    expected_second: frozenset[tuple[Any, ...]]
    target_asset: str | None = None
    added: tuple[str, ...] = ()  # columns the second commits add to the source (ALTER TABLE)
    backticked: bool = False  # the pack writes the source's table part in backticks

    @property
    def source(self) -> str:
        """The source's name as the pack (and Spark) writes it."""
        table = f"`{self.table}`" if self.backticked else quoted(self.table)
        return f"spark_catalog.{SOURCE_DB}.{table}"

    @property
    def target_table(self) -> str:
        return self.target_asset or self.table

    @property
    def catalog(self) -> str:
        """The pipeline's catalog, where its bare-named target lands: Auto CDC targets in the
        row-level catalog, materialized copies in Delta."""
        return TARGET_CATALOG if self.mode == "1" else "spark_catalog"

    @property
    def target(self) -> str:
        return f"{self.catalog}.{TARGET_DB}.{quoted(self.target_table)}"

    @property
    def column_names(self) -> list[str]:
        """The source's columns before the second commits, unquoted."""
        return [_column_name(part) for part in self.columns.split(",")]

    @property
    def column_names_after(self) -> list[str]:
        """And after them: a column added to the source reaches the target too."""
        return [*self.column_names, *self.added]


def _column_name(ddl: str) -> str:
    ddl = ddl.strip()
    return ddl[1 : ddl.index("`", 1)] if ddl.startswith("`") else ddl.split()[0]


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
    Case(
        # An UPDATE of the key: its pre-image deletes the old key, its post-image inserts the new.
        # An UPDATE of another column in the same run: pre- and post-image of one key in one
        # commit, where the post-image must win.
        pipeline="key_update_sync",
        table="key_update",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob')",),
        expected_first=frozenset({(1, "ann"), (2, "bob")}),
        second=(
            "UPDATE {t} SET id = 10 WHERE id = 1",
            "UPDATE {t} SET name = 'bobby' WHERE id = 2",
        ),
        expected_second=frozenset({(10, "ann"), (2, "bobby")}),
    ),
    Case(
        # INSERT OVERWRITE: one commit deletes every row and inserts the new ones, so keys 1 and 2
        # each have a delete and an insert with the same _commit_version. The insert wins.
        pipeline="insert_overwrite_sync",
        table="insert_overwrite",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob'), (4, 'dee')",),
        expected_first=frozenset({(1, "ann"), (2, "bob"), (4, "dee")}),
        second=("INSERT OVERWRITE {t} VALUES (1, 'ann v2'), (2, 'bob'), (3, 'cy')",),
        expected_second=frozenset({(1, "ann v2"), (2, "bob"), (3, "cy")}),
    ),
    Case(
        # REPLACE WHERE: the rows the condition selects are deleted and written again in one commit.
        pipeline="replace_where_sync",
        table="replace_where",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",),
        expected_first=frozenset({(1, "ann"), (2, "bob"), (3, "cy")}),
        second=("INSERT INTO {t} REPLACE WHERE id >= 2 VALUES (2, 'bob'), (3, 'cy v2')",),
        expected_second=frozenset({(1, "ann"), (2, "bob"), (3, "cy v2")}),
    ),
    Case(
        # A NULL key in the source's snapshot and again in a later commit: dropped each time, and
        # the rest keeps syncing (AUTO CDC would fail the batch, and every run after it).
        pipeline="null_key_sync",
        table="null_key",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann'), (NULL, 'nobody')",),
        expected_first=frozenset({(1, "ann")}),
        second=(
            "INSERT INTO {t} VALUES (NULL, 'no one'), (2, 'bob')",
            "UPDATE {t} SET name = 'anna' WHERE id = 1",
        ),
        expected_second=frozenset({(1, "anna"), (2, "bob")}),
    ),
    Case(
        # The source's table part in backticks, and no target_asset: the target is that part
        # without them. Column names that need backticks, one of them the key. (Spark's session
        # catalog, Delta's here, takes only letters, digits and _ in table names: a hyphenated
        # name is the next case's target.)
        pipeline="backticked_names_sync",
        table="order_lines",
        backticked=True,
        columns="`line-no` INT, `item-name` STRING",
        mode="1",
        keys=("line-no",),
        first=("INSERT INTO {t} VALUES (1, 'pen'), (2, 'ink')",),
        expected_first=frozenset({(1, "pen"), (2, "ink")}),
        second=(
            "UPDATE {t} SET `item-name` = 'red ink' WHERE `line-no` = 2",
            "DELETE FROM {t} WHERE `line-no` = 1",
        ),
        expected_second=frozenset({(2, "red ink")}),
    ),
    Case(
        # A hyphenated target_asset: a valid Unity Catalog name, quoted wherever Spark parses it.
        pipeline="hyphenated_target_sync",
        table="hyphenated_target",
        target_asset="synced-orders",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann')",),
        expected_first=frozenset({(1, "ann")}),
        second=("INSERT INTO {t} VALUES (2, 'bob')", "DELETE FROM {t} WHERE id = 1"),
        expected_second=frozenset({(2, "bob")}),
    ),
    Case(
        # A column added to the source between the runs reaches the target, for new rows and old.
        pipeline="late_column_sync",
        table="late_column",
        columns="id INT, name STRING",
        mode="1",
        keys=("id",),
        first=("INSERT INTO {t} VALUES (1, 'ann')",),
        expected_first=frozenset({(1, "ann")}),
        second=(
            "ALTER TABLE {t} ADD COLUMNS (email STRING)",
            "INSERT INTO {t} VALUES (2, 'bob', 'bob@example.com')",
            "UPDATE {t} SET email = 'ann@example.com' WHERE id = 1",
        ),
        added=("email",),
        expected_second=frozenset({(1, "ann", "ann@example.com"), (2, "bob", "bob@example.com")}),
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
        if case.target_asset:
            lines.append(f"        target_asset: {case.target_asset}")
        if case.keys:
            lines.append(f"        key_columns: [{', '.join(case.keys)}]")
    return "\n".join(lines) + "\n"
