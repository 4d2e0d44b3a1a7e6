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
    from sharepack.ownership import split_comment_mark

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
    emulator.configure(latency_ms=5)
    first, second = two_claims(tmp_path)
    processes = [apply_process(first, emulator.url), apply_process(second, emulator.url)]
    results = [
        (p.wait(timeout=120), (p.stdout.read() if p.stdout else "") + (p.stderr.read() if p.stderr else ""))
        for p in processes
    ]
    assert all("Traceback" not in out for _, out in results), results
    adopted = [out for _, out in results if "Adopted share: orders" in out]
    assert len(adopted) <= 1, results
    owner = assert_one_owner_and_only_its_access(client)
    loser = results[1] if owner == "alpha" else results[0]
    assert loser[0] == 1, loser
    assert "Created grant" not in loser[1] and "Adopted share" not in loser[1], loser
