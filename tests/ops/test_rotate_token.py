"""rotate-token end to end: a D2O recipient of the pack gets a new token, its link said once."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

ORG = "aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"
PACK = f"""
metadata: {{name: retail}}
recipient:
  - name: analytics
    type: D2D
    recipient_databricks_org: {ORG}
  - name: partner
    type: D2O
share:
  - name: sales_share
    share_assets: [main.sales.daily]
    recipients: [analytics, partner]
"""
SECRET = Path(".sharepack") / "secrets" / "partner.activation.txt"


def _applied(cli: Any, tmp_path: Path, text: str = PACK, name: str = "pack.yaml") -> Path:
    pack = write_pack(tmp_path, text, name)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    return pack


def _live_tokens(client: Any, name: str) -> list[Any]:
    return list(client.recipients.get(name).tokens or [])


def test_rotating_keeps_the_old_token_an_hour_and_says_the_new_link_once_in_a_private_file(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    (old,) = _live_tokens(client, "partner")
    result = cli("rotate-token", str(pack), "partner")
    assert result.code == 0, result.output
    tokens = _live_tokens(client, "partner")
    assert len(tokens) == 2
    new = next(t for t in tokens if t.id != old.id)
    kept = next(t for t in tokens if t.id == old.id)
    # The default grace: the old token expires in an hour (the emulator's clock), not now.
    hour_ms = 3_600_000
    now_ms = time.time() * 1000
    assert now_ms + hour_ms - 600_000 < kept.expiration_time <= now_ms + hour_ms + 600_000
    # Not a terminal: the link goes to a file only the user can read, never to the output.
    assert new.activation_url not in result.output and old.activation_url not in result.output
    assert new.activation_url in SECRET.read_text()
    assert stat.S_IMODE(SECRET.stat().st_mode) == 0o600
    assert str(SECRET) in result.stderr
    assert "previous token stays valid for 1 hour" in result.stderr


def test_expire_existing_in_0_revokes_the_old_token_at_once(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    (old,) = _live_tokens(client, "partner")
    result = cli("rotate-token", str(pack), "partner", "--expire-existing-in", "0")
    assert result.code == 0, result.output
    (only,) = _live_tokens(client, "partner")
    assert only.id != old.id
    assert "previous token no longer works" in result.stderr


def test_d2d_and_undeclared_recipients_are_refused_before_any_request(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    workspace_env.reset_log()
    d2d = cli("rotate-token", str(pack), "analytics")
    assert d2d.code == 2 and "D2D" in d2d.stderr and "no token" in d2d.stderr
    unknown = cli("rotate-token", str(pack), "nobody")
    assert unknown.code == 2 and "not declared" in unknown.stderr and "analytics, partner" in unknown.stderr
    bad = cli("rotate-token", str(pack), "partner", "--expire-existing-in", "soon")
    assert bad.code == 2 and "--expire-existing-in" in bad.stderr
    assert not any("rotate-token" in r.path for r in workspace_env.request_log())
    assert workspace_env.mutating_count() == 0


def test_a_recipient_this_pack_does_not_own_is_refused_naming_its_owner(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import AuthenticationType

    _applied(cli, tmp_path, PACK.replace("name: retail", "name: other"), "other.yaml")
    mine = write_pack(tmp_path, PACK)
    result = cli("rotate-token", str(mine), "partner")
    assert result.code == 1
    assert "SharePack 'other'" in result.stderr
    client.recipients.create("hand_made", AuthenticationType.TOKEN)
    hand = write_pack(
        tmp_path,
        PACK.replace("name: partner", "name: hand_made").replace("partner]", "hand_made]"),
        "hand.yaml",
    )
    result = cli("rotate-token", str(hand), "hand_made")
    assert result.code == 1 and "not made by sharepack" in result.stderr
    assert len(_live_tokens(client, "partner")) == 1 and len(_live_tokens(client, "hand_made")) == 1
    assert not SECRET.with_name("hand_made.activation.txt").exists()


def test_a_second_rotation_inside_the_grace_period_says_when_it_can_be_retried(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    assert cli("rotate-token", str(pack), "partner", "--expire-existing-in", "2h").code == 0
    kept = min(t.expiration_time for t in _live_tokens(client, "partner") if t.expiration_time)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(kept / 1000))
    workspace_env.reset_log()
    again = cli("rotate-token", str(pack), "partner")
    assert again.code == 1, again.output
    assert f"the previous one stays valid until {when} UTC" in again.stderr
    assert f"hint: rotate again after {when} UTC" in again.stderr
    assert "nothing was rotated" in again.stderr
    assert workspace_env.mutating_count() == 0
    assert len(_live_tokens(client, "partner")) == 2
