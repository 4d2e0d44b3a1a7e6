"""Races between two packs over one share (issue 24, findings 3 and 5), shared by the tests and
the soak: what each pack declares, how the two are run at once, and what must hold afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import TOKEN
from tests.helpers import write_pack


def pack_claiming(pack: str, recipient: str, table: str, share: str = "orders") -> str:
    """A pack declaring `share` (made by hand, so both packs plan to adopt it) with its own table
    and its own recipient."""
    return (
        f"metadata:\n  name: {pack}\n"
        "recipient:\n"
        f"  - name: {recipient}\n    type: D2O\n    recipient: data@{recipient}.example\n"
        "share:\n"
        f"  - name: {share}\n    share_assets:\n      - {table}\n    recipients: [{recipient}]\n"
    )


def two_claims(tmp_path: Path) -> tuple[Path, Path]:
    first = write_pack(tmp_path, pack_claiming("alpha", "alpha_partner", "main.a.orders"), "alpha.yaml")
    second = write_pack(tmp_path, pack_claiming("beta", "beta_partner", "main.b.orders"), "beta.yaml")
    return first, second


def apply_process(pack: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "sharepack.cli", "apply", str(pack), "--auto-approve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def owner_of(client: Any, share: str) -> str | None:
    from sharepack.workspace.ownership import split_comment_mark

    return split_comment_mark(client.shares.get(share).comment)[1]


def grants_of(client: Any, share: str) -> set[str]:
    found = client.shares.share_permissions(share)
    return {a.principal for a in found.privilege_assignments or []}


def tables_of(client: Any, share: str) -> set[str]:
    return {o.name for o in client.shares.get(share, include_shared_data=True).objects or []}


def assert_one_owner_and_only_its_access(client: Any, share: str = "orders") -> str:
    """The share is held by one pack, holds only that pack's table, and is granted only to that
    pack's recipient: nothing was granted or added by the pack that lost."""
    owner = owner_of(client, share)
    assert owner in ("alpha", "beta"), owner
    assert grants_of(client, share) <= {f"{owner}_partner"}, grants_of(client, share)
    assert tables_of(client, share) <= {f"main.{owner[0]}.orders"}, tables_of(client, share)
    return owner


def race_adoptions(client: Any, emulator: Any, tmp_path: Path) -> None:
    """Two packs adopting one hand-made share at once: at most one says "Adopted", the loser
    fails (exit 1) and nothing of it reaches the share."""
    client.shares.create("orders")
    results = run_both(emulator, *two_claims(tmp_path))
    adopted = [out for _, out in results if "Adopted share: orders" in out]
    assert len(adopted) <= 1, results
    owner = assert_one_owner_and_only_its_access(client)
    loser = results[1] if owner == "alpha" else results[0]
    assert loser[0] == 1, loser
    assert "Created grant" not in loser[1] and "Adopted share" not in loser[1], loser


def run_both(emulator: Any, first: Path, second: Path) -> list[tuple[int, str]]:
    """Apply two packs at once, each in its own process: (exit code, everything it printed)."""
    emulator.configure(latency_ms=5)
    processes = [apply_process(first, emulator.url), apply_process(second, emulator.url)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        results.append((process.returncode, out + err))
    assert all("Traceback" not in out for _, out in results), results
    return results


def race_new_share(client: Any, emulator: Any, tmp_path: Path) -> None:
    """Two packs creating one new share at once (the deploy locks are per pack, so nothing
    serialises them): one owns it, and nothing of the other reaches it."""
    first, second = two_claims(tmp_path)
    results = run_both(emulator, first, second)
    owner = assert_one_owner_and_only_its_access(client)
    loser = results[1] if owner == "alpha" else results[0]
    assert loser[0] == 1, loser
    assert "Created grant: orders" not in loser[1], loser


RECIPIENT_PACK = """\
metadata:
  name: {pack}
recipient:
  - name: partner
    type: {kind}
    recipient: data@partner.example
{extra}share:
  - name: {pack}_share
    share_assets:
      - main.{pack}.t
    recipients: [partner]
"""
OTHER_METASTORE = "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"


def race_for_one_recipient(client: Any, emulator: Any, tmp_path: Path) -> None:
    """Two packs declaring recipient `partner` (one D2O, one D2D) applied at once: a share is
    granted to `partner` only by the pack that owns `partner`."""
    first = write_pack(tmp_path, RECIPIENT_PACK.format(pack="a", kind="D2O", extra=""), "a.yaml")
    org = f"    recipient_databricks_org: {OTHER_METASTORE}\n"
    second = write_pack(tmp_path, RECIPIENT_PACK.format(pack="b", kind="D2D", extra=org), "b.yaml")
    run_both(emulator, first, second)
    props = client.recipients.get("partner").properties_kvpairs
    owner = (props.properties or {}).get("sharepack_pack") if props else None
    assert owner in ("a", "b"), owner
    for pack in ("a", "b"):
        if f"{pack}_share" in {s.name for s in _shares(client)}:
            granted = "partner" in grants_of(client, f"{pack}_share")
            assert not granted or pack == owner, (pack, owner)


def _shares(client: Any) -> Any:
    from tests.helpers import list_shares

    return list_shares(client)
