"""Where Databricks' behaviour is not known, sharepack must be right under every reading.

Whether `\\` escapes `_` and `%` in a pipelines `name LIKE '...'` filter is undocumented; the
emulator serves both readings (EmulatorConfig.like_backslash_escapes) and sharepack's exact-name
lookup finds its pipeline, and only it, under each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient

from sharepack.workspace.listing import like_literal, lookup_pipeline
from tests.conftest import TOKEN

NAMES = ["sp_orders", "spXorders", "SP_ORDERS", "sp_orders_v2", "it's_50", "its_50"]


@pytest.fixture(params=[True, False], ids=["backslash-escapes", "backslash-literal"])
def reading(request: pytest.FixtureRequest) -> Iterator[Any]:
    from sharepack.emulator import Emulator, EmulatorConfig

    config = EmulatorConfig(token=TOKEN, like_backslash_escapes=request.param)
    with Emulator(config) as emu:
        yield WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")


@pytest.mark.parametrize("name", NAMES)
def test_exact_lookup_under_both_readings(reading: Any, name: str) -> None:
    ids = {n: reading.pipelines.create(name=n).pipeline_id for n in NAMES}
    assert [(p.name, p.pipeline_id) for p in lookup_pipeline(reading, name)] == [(name, ids[name])]


def test_the_two_readings_differ_for_an_escaped_filter(reading: Any) -> None:
    reading.pipelines.create(name="sp_orders")
    escaped = list(reading.pipelines.list_pipelines(filter="name LIKE 'sp\\_orders'"))
    assert like_literal("sp_orders") == "name LIKE 'sp_orders'"
    # Under one reading `\_` is a literal `_`; under the other, a backslash then any character.
    assert len(escaped) in (0, 1)
