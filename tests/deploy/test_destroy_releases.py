"""Destroy takes only what the pack made (issue 24, finding 7): what it adopted is released (its
mark removed, the resource and what others put in it kept) unless --delete-adopted says
otherwise, a schema another pack publishes into is kept, and each decision is a line of the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from databricks.sdk.service.sharing import AuthenticationType, PermissionsChange
from tests.helpers import list_shares, write_pack
from tests.reliability.races import grants_of, owner_of, tables_of
from tests.sync.test_source_checks import seed

ADOPTING = """\
metadata:
  name: adopter
recipient:
  - name: auditor
    type: D2O
    recipient: audit@example.com
  - name: partner
    type: D2O
    recipient: data@partner.example
share:
  - name: legacy
    share_assets_to_add:
      - main.sales.orders
    recipients_to_add: [partner]
"""


def _hand_made(client: Any) -> None:
    from databricks.sdk.service.sharing import SharedDataObjectUpdate

    client.recipients.create("auditor", AuthenticationType.TOKEN)
    client.shares.create("legacy", comment="The finance team's share.")
    client.shares.update(
        "legacy",
        updates=[
            SharedDataObjectUpdate.from_dict(
                {"action": "ADD", "data_object": {"name": "main.fin.ledger", "data_object_type": "TABLE"}}
            )
        ],
    )
    client.shares.update_permissions(
        "legacy", changes=[PermissionsChange(principal="auditor", add=["SELECT"])]
    )


def test_destroy_releases_an_adopted_share_and_recipient_and_deletes_what_it_made(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _hand_made(client)
    pack = write_pack(tmp_path, ADOPTING)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert owner_of(client, "legacy") == "adopter"
    plan = cli("destroy", str(pack))  # no --auto-approve and no terminal: the plan, nothing sent
    assert "share legacy" in plan.output and "released (its mark removed), not deleted" in plan.output
    assert "recipient auditor" in plan.output and "--delete-adopted" in plan.output
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert owner_of(client, "legacy") is None
    assert "sharepack" not in (client.shares.get("legacy").comment or "")
    assert "main.fin.ledger" in tables_of(client, "legacy")
    assert "auditor" in grants_of(client, "legacy")
    names = {r.name for r in client.recipients.list()}
    assert "auditor" in names and "partner" not in names  # released; made by the pack: deleted
    assert "sharepack_pack" not in (client.recipients.get("auditor").properties_kvpairs.properties or {})


def test_destroy_with_delete_adopted_deletes_them_too(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _hand_made(client)
    pack = write_pack(tmp_path, ADOPTING)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    result = cli("destroy", str(pack), "--auto-approve", "--delete-adopted")
    assert result.code == 0, result.output
    assert "legacy" not in {s.name for s in list_shares(client)}
    assert {r.name for r in client.recipients.list()} == set()


SYNC = """\
metadata: {{name: {name}}}
pipeline_defaults: {{catalog: analytics, schema: shared}}
pipelines:
  - name_prefix: {name}_sync
    source_asset: main.leasing.{table}
    key_columns: [id]
"""


def test_a_schema_another_packs_pipelines_publish_into_is_kept_by_destroy(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    seed(client, "main.leasing.leases", ["id"])
    seed(client, "main.leasing.payments", ["id"])
    client.catalogs.create("analytics")
    first = write_pack(tmp_path, SYNC.format(name="leases", table="leases"), "a.yaml")
    second = write_pack(tmp_path, SYNC.format(name="payments", table="payments"), "b.yaml")
    assert cli("apply", str(first), "--auto-approve").code == 0
    assert client.schemas.get("analytics.shared").properties["sharepack_pack"] == "leases"
    assert cli("apply", str(second), "--auto-approve").code == 0
    result = cli("destroy", str(first), "--auto-approve")
    assert result.code == 0, result.output
    assert (
        "schema analytics.shared is kept: pipeline payments_sync still publish(es) into it" in result.output
    )
    assert client.schemas.get("analytics.shared").full_name == "analytics.shared"
    assert cli("destroy", str(second), "--auto-approve").code == 0
    # The last pack that used it is gone: the schema's own pack can take it now.
    assert cli("apply", str(first), "--auto-approve").code == 0
    assert cli("destroy", str(first), "--auto-approve").code == 0
