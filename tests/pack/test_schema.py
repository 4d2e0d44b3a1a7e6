"""schemas/sharepack.schema.json is generated from the models and must stay in step with them."""

from __future__ import annotations

from sharepack.pack.schema import pack_json_schema, pack_json_schema_text
from tests.pack.helpers import REPO

SCHEMA_FILE = REPO / "schemas" / "sharepack.schema.json"


def test_the_committed_schema_matches_the_models() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == pack_json_schema_text(), "schemas/sharepack.schema.json is stale: run `make schema`"


def test_every_property_has_a_description_for_editors() -> None:
    schema = pack_json_schema()
    missing = []
    for name, definition in [("SharePack", schema), *schema["$defs"].items()]:
        if name in _SCHEDULE_MODELS:
            continue
        for key, prop in definition.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{name}.{key}")
    assert not missing


def test_typed_fields_also_accept_a_variable_reference() -> None:
    serverless = pack_json_schema()["$defs"]["Pipeline"]["properties"]["serverless"]
    assert {"type": "boolean"} in serverless["anyOf"]
    assert any(option.get("pattern") for option in serverless["anyOf"])


_SCHEDULE_MODELS = {
    # The schedule language's own models document themselves in docs/schedules.md.
    "CronSchedule",
    "ContinuousSchedule",
    "IntervalSchedule",
    "OneTimeSchedule",
    "EventSchedule",
    "EventTrigger",
    "FileArrival",
    "TableUpdate",
    "EmailNotifications",
}
