"""Backticked names (the docs allow them) reach the API without their backticks: they are SQL's
quoting, not part of the name (issue 24, finding 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import write_pack
from tests.reliability.races import tables_of
from tests.sync.test_source_checks import seed

PACK = """\
metadata: {name: quoted}
share:
  - name: quoted_share
    share_assets:
      - "`main`.`sales`.`daily-sales`"
pipelines:
  - name_prefix: quoted_sync
    source_asset: "`main`.sales.`daily-sales`"
    catalog: analytics
    schema: shared
    key_columns: [id]
"""


def test_backticked_names_are_sent_without_backticks_and_reapply_changes_nothing(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    seed(client, "main.sales.daily-sales", ["id"])
    client.catalogs.create("analytics")
    client.schemas.create("shared", "analytics")
    pack = write_pack(tmp_path, PACK)
    workspace_env.reset_log()
    applied = cli("apply", str(pack), "--auto-approve")
    assert applied.code == 0, applied.output
    assert "does not exist" not in applied.output
    assert tables_of(client, "quoted_share") == {"main.sales.daily-sales"}
    assert not any("`" in r.path or "%60" in r.path for r in workspace_env.request_log())
    again = cli("plan", str(pack), "--detailed-exitcode")
    assert again.code == 0, again.output
