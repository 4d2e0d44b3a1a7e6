"""The JSON plan of each example pack against an empty workspace, checked in and compared.

Regenerate after an intended change with SHAREPACK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.reference_schema import job_errors, pipeline_errors

from sharepack.desired.build import desired_state
from sharepack.pack import load_pack
from sharepack.plan.build import build_plan
from sharepack.workspace.state import ActualState

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CASES = [
    ("seed_example", None),
    ("minimal", None),
    ("multi_share", "dev"),
    ("multi_share", "prod"),
    ("sharing", None),
    ("deltashare_format", None),
]


def _plan_json(name: str, target: str | None) -> str:
    pack = load_pack(ROOT / "sharepacks" / f"{name}.yaml", target=target, user="ana", now=NOW)
    plan = build_plan(
        desired_state(pack),
        ActualState(),
        source=f"sharepacks/{name}.yaml",
        host="golden",
        target=target,
        now=NOW,
    )
    return json.dumps(plan.to_dict(), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(("name", "target"), CASES)
def test_plan_of_example_matches_golden_file(name: str, target: str | None) -> None:
    golden = GOLDEN / f"{name}{'.' + target if target else ''}.plan.json"
    actual = _plan_json(name, target)
    if os.environ.get("SHAREPACK_UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run with SHAREPACK_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "target"), CASES)
def test_everything_sent_is_accepted_by_the_databricks_schema(name: str, target: str | None) -> None:
    pack = load_pack(ROOT / "sharepacks" / f"{name}.yaml", target=target, user="ana", now=NOW)
    desired = desired_state(pack)
    for pipeline in desired.pipelines:
        assert pipeline_errors(pipeline.spec) == [], pipeline.name
    for job in desired.jobs:
        assert job_errors(job.settings) == [], job.name
