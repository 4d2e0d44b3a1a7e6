"""Whatever the input, loading ends in a Pack or a SpecError — never any other exception.

Fixed budget and derandomized, so the suite is reproducible and quick.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharepack.errors import SpecError
from sharepack.pack import Pack, load_pack
from tests.pack.helpers import SHAREPACKS

BUDGET = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

KEYS = [
    "share",
    "pipelines",
    "name",
    "share_assets",
    "delta_share",
    "ext_catalog_name",
    "ext_schema_name",
    "name_prefix",
    "source_asset",
    "schedule",
    "cron",
    "timezone",
    "every",
    "at",
    "on",
    "continuous",
    "notification",
    "on_failure",
    "tags",
    "catalog",
    "schema",
    "serverless",
    "libraries",
    "notebook",
    "file",
    "glob",
    "configuration",
    "channel",
    "development",
    "edition",
    "photon",
    "jobs",
    "tasks",
    "pipeline",
    "depends_on",
    "targets",
    "mode",
    "default",
    "workspace",
    "host",
    "variables",
    "pipeline_defaults",
    "policy",
    "min_interval",
    "metadata",
    "paused",
    "pipeline_updated",
    "table_update",
    "tables",
    "file_arrival",
    "url",
    "kind",
    "<<",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "continuous",
            "0 0 2 * * ?",
            "UTC",
            "Mars/X",
            "a.b.c",
            "c.s.t",
            "x@example.com",
            "1h",
            "5s",
            "${var.x}",
            "$${var.x}",
            "${workspace.current_user.short_name}",
            "development",
            "production",
            "CURRENT",
            "/Workspace/x",
            "",
            "'",
            "%",
            "dev",
            "local",
            "2025-01-01T00:00:00",
        ]
    ),
    st.text(max_size=12),
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    ),
    max_leaves=40,
)
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(SHAREPACKS.glob("*.yaml"))]


def load_outcome(content: str | bytes, **kwargs: Any) -> Pack | SpecError:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            return load_pack(path, **kwargs)
        except SpecError as exc:
            assert exc.problems, "a SpecError always lists its problems"
            for problem in exc.problems:
                assert problem.line >= 1 and problem.col >= 1 and problem.message
            return exc


@BUDGET
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    load_outcome(text)


@BUDGET
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    load_outcome(data)


@BUDGET
@given(STRUCTURES)
def test_random_yaml_structures(data: Any) -> None:
    load_outcome(yaml.safe_dump(data, allow_unicode=True))


@BUDGET
@given(
    STRUCTURES,
    st.one_of(st.none(), st.sampled_from(["dev", "prod", "local", "nope"])),
    st.dictionaries(st.sampled_from(["x", "env", "catalog"]), st.text(max_size=8), max_size=2),
)
def test_random_packs_with_targets_and_variables(
    data: Any, target: str | None, variables: dict[str, str]
) -> None:
    pack = {"share": [{"name": "s", "share_assets": ["c.s.t"], "pipelines": [data]}], "targets": data}
    load_outcome(yaml.safe_dump(pack), target=target, variables=variables)


@BUDGET
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 3), st.sampled_from(list(" \t\n:-[]{}&*!#'\"%$a0"))),
        max_size=6,
    ),
)
def test_mutated_examples(seed: str, edits: list[tuple[float, int, str]]) -> None:
    text = seed
    for where, action, char in edits:
        at = int(where * len(text))
        if action == 0:
            text = text[:at] + text[at + 1 :]
        elif action == 1:
            text = text[:at] + char + text[at:]
        else:
            text = text[:at] + char + text[at + 1 :]
    load_outcome(text)
