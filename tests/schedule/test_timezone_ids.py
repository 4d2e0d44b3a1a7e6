"""Only zone names Databricks accepts: files of the zone database that are not zones are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = (
    "pipelines:\n  - name_prefix: p\n    source_asset: main.s.t\n"
    '    schedule: {{cron: "0 0 2 * * ?", timezone: {tz}}}\n'
)


@pytest.mark.parametrize("tz", ["posix/Europe/Paris", "right/UTC", "localtime", "Factory", "posixrules"])
def test_zone_database_files_that_databricks_does_not_know_are_refused(
    tz: str, cli: Any, tmp_path: Path
) -> None:
    result = cli("validate", str(write_pack(tmp_path, PACK.format(tz=tz))))
    assert result.code == 1
    assert f"unknown timezone '{tz}'" in result.stderr and ":4:" in result.stderr


@pytest.mark.parametrize(
    "tz", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "US/Pacific"]
)
def test_iana_zone_names_are_accepted(tz: str, cli: Any, tmp_path: Path) -> None:
    assert cli("validate", str(write_pack(tmp_path, PACK.format(tz=tz)))).code == 0
