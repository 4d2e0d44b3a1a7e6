"""Nothing that depends on a change runs unless that change was applied (issue 24, findings 1, 2, 4).

Each test drives the real CLI and SDK against the emulator: a change is refused (another pack's
recipient) or fails (an injected error), and what depends on it must not be written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.deploy.test_apply_e2e import SEED, jobs_by_name, pipelines_by_name
from tests.helpers import write_pack

OTHER_METASTORE = "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"

PACK_A = """\
metadata:
  name: team_a
recipient:
  - name: partner
    type: D2O
    recipient: data@partner.example
share:
  - name: a_share
    share_assets:
      - main.sales.daily_sales
    recipients: [partner]
"""

PACK_B = f"""\
metadata:
  name: team_b
recipient:
  - name: partner
    type: D2D
    recipient: data@partner.example
    recipient_databricks_org: {OTHER_METASTORE}
share:
  - name: b_secret_share
    share_assets:
      - main.finance.salaries
    recipients: [partner]
"""


def grants_of(client: Any, share: str) -> set[str]:
    found = client.shares.share_permissions(share)
    return {a.principal for a in found.privilege_assignments or []}


def share_tables(client: Any, share: str) -> set[str]:
    return {o.name for o in client.shares.get(share, include_shared_data=True).objects or []}


def test_a_grant_to_a_recipient_owned_by_another_pack_is_skipped_not_created(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    assert cli("apply", str(write_pack(tmp_path, PACK_A, "a.yaml")), "--auto-approve").code == 0
    result = cli("apply", str(write_pack(tmp_path, PACK_B, "b.yaml")), "--auto-approve")
    assert result.code == 1, result.output
    assert "Created grant" not in result.output
    assert "partner" not in grants_of(client, "b_secret_share")
    assert re.search(
        r"b_secret_share:partner failed: skipped: recipient partner was left alone", result.output
    )


PII_V1 = """\
metadata:
  name: crm
recipient:
  - name: internal
    type: D2O
    recipient: bi@example.com
share:
  - name: customers
    share_assets:
      - main.crm.pii_customers
      - main.crm.segments
    recipients: [internal]
"""

PII_V2 = """\
metadata:
  name: crm
recipient:
  - name: internal
    type: D2O
    recipient: bi@example.com
  - name: external
    type: D2O
    recipient: data@vendor.example
share:
  - name: customers
    share_assets:
      - main.crm.segments
      - main.crm.segmnets_typo
    recipients: [internal, external]
"""


def test_a_grant_waits_for_the_shares_objects_and_a_failed_remove_stops_it(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PII_V1)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    workspace_env.configure(
        fail_matching=[("PATCH", r"/shares/customers$", 404, "TABLE_DOES_NOT_EXIST", "segmnets_typo")]
    )
    result = cli("apply", str(write_pack(tmp_path, PII_V2)), "--auto-approve")
    assert result.code == 1, result.output
    assert "main.crm.pii_customers" in share_tables(client, "customers")
    assert "external" not in grants_of(client, "customers")
    assert "skipped: the objects of share customers failed" in result.output
    assert "pipeline(s) failed" not in result.output


def test_a_pipeline_and_its_schedule_are_not_made_when_their_code_failed_to_upload(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # A file where the generated code's folder belongs: both uploads are refused by the workspace.
    from databricks.sdk.service.workspace import ImportFormat

    client.workspace.mkdirs("/Workspace/Shared/.sharepack/sales")
    client.workspace.import_(
        "/Workspace/Shared/.sharepack/sales/pipelines", content="eA==", format=ImportFormat.AUTO
    )
    result = cli("apply", str(write_pack(tmp_path, SEED, "sales.yaml")), "--auto-approve")
    assert result.code == 1, result.output
    assert pipelines_by_name(client) == {} and jobs_by_name(client) == {}
    assert "Created pipeline" not in result.output and "Created schedule" not in result.output
    assert "skipped: workspace file" in result.output
    assert "pipeline(s) failed" not in result.output
    assert re.search(r"2 workspace file\(s\) failed", result.output)


PACK_C = """\
metadata:
  name: team_c
share:
  - name: c_share
    share_assets:
      - main.sales.daily_sales
    recipients: [partner]
"""


def test_an_empty_recipients_list_revokes_the_grant_this_pack_made_to_another_packs_recipient(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    assert cli("apply", str(write_pack(tmp_path, PACK_A, "a.yaml")), "--auto-approve").code == 0
    pack = write_pack(tmp_path, PACK_C, "c.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert grants_of(client, "c_share") == {"partner"}
    write_pack(tmp_path, PACK_C.replace("[partner]", "[]"), "c.yaml")
    plan = cli("plan", str(pack))
    assert "- grant c_share:partner (id c_share:partner): delete" in plan.output, plan.output
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert grants_of(client, "c_share") == set()
    assert grants_of(client, "a_share") == {"partner"}  # the other pack's own grant stays
