"""export writes names holding `${` so that re-reading them gives the same names back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """
metadata: {name: literal}
pipelines:
  - name_prefix: "etl_$${env}"
    source_asset: main.raw.events
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
"""


def test_a_name_with_a_dollar_brace_survives_export_and_replan(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert {p.name for p in client.pipelines.list_pipelines()} == {"etl_${env}"}
    out = tmp_path / "exported.yaml"
    assert cli("export", "--out", str(out)).code == 0, out.read_text()
    result = cli("plan", str(out), "--output", "json")
    assert result.code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    actions = {c["name"]: c["action"] for c in changes if c["resource_type"] in ("pipeline", "job")}
    assert actions == {"etl_${env}": "no-op", "etl_${env}_schedule": "no-op"}
    assert {c["action"] for c in changes} == {"no-op"}  # its generated code file too
