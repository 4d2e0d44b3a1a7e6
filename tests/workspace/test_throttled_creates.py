"""A 429 is the workspace saying "later", not a failed create: it never uses up an attempt."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.helpers import write_pack
from tests.reliability.census import census, pack_yaml


def test_creates_throttled_to_one_a_second_all_succeed(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # Seven creates at once against one a second: the last one is told to wait six times or more,
    # which used to end in "gave up after 6 attempts". (Waits are the real Retry-After.)
    workspace_env.configure(rate_limits={"pipelines/create": 1})
    pack = write_pack(tmp_path, pack_yaml(7))
    result = cli("apply", str(pack), "--auto-approve", "--parallelism", "8")
    assert result.code == 0, result.output
    assert "gave up" not in result.output
    pipelines, _ = census(client)
    assert pipelines == Counter({f"p{i:03d}": 1 for i in range(7)})
    assert any(r.status == 429 for r in workspace_env.request_log()), "creates were throttled"
