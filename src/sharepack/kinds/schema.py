"""The schema a sync pipeline publishes to, created when it is missing: identity `catalog.schema`.

Only a schema that is missing is ever planned: one that exists is used as it is, never adopted
(a team's schema stays theirs). One we create carries our mark in its `properties`, and only
such a schema is deleted by its own pack's destroy — without `force`, so a schema that still
holds tables (someone else's, or a pipeline's not yet dropped) makes the delete fail loudly
rather than drop data. Read with the sync sources (`sync.checks`): when the workspace's table
API does not answer, nothing is known and nothing is planned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Set
from typing import TYPE_CHECKING

from sharepack.changes.model import Action, Change, ResourceType
from sharepack.errors import WorkspaceError
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.sync.checks import sources_state
from sharepack.workspace.ownership import PACK_TAG, is_managed, ownership_tags

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.SCHEMA


class SchemaKind(KindDefaults):
    resource_type = TYPE
    rank = 40  # before the code and the pipelines that publish there; deleted after them
    fatal = True
    label = "schemas"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = sources_state(given.actual)
        pack = given.desired.pack
        changes = []
        for schema in given.desired.resources_of(TYPE.value):
            catalog = schema.name.split(".")[0]
            if not given.selected(schema.name, *schema.pipelines) or schema.name not in state.schemas:
                continue
            if state.catalogs.get(catalog) is False:
                continue  # the missing catalog is the plan's error (sync.checks)
            found = state.schemas[schema.name]
            if found is None:
                changes.append(
                    Change(
                        Action.CREATE,
                        TYPE,
                        schema.name,
                        pack,
                        settings={"properties": ownership_tags(pack)},
                        details=(f"where {', '.join(schema.pipelines)} publish(es)",),
                    )
                )
            else:
                changes.append(
                    Change(Action.NOOP, TYPE, schema.name, pack, id=schema.name, observed=_observed(found))
                )
        return PlanOutput(tuple(changes))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        state = sources_state(actual)
        users = _publishers(actual, desired.pack)
        changes, warnings = [], []
        for name, found in sorted(state.schemas.items()):
            if found is None or not is_managed(found, desired.pack):
                continue
            if name in users:
                # Another pack's pipelines (or a team's) publish there: their tables live in it.
                warnings.append(
                    f"schema {name} is kept: {', '.join(sorted(users[name]))} still publish(es) into it "
                    "(not pipelines of this pack)"
                )
                continue
            changes.append(
                Change(Action.DELETE, TYPE, name, desired.pack, id=name, observed=_observed(found))
            )
        return PlanOutput(tuple(changes), tuple(warnings))

    def observed(self, change: Change, actual: ActualState) -> str:
        state = sources_state(actual)
        if change.name not in state.schemas:
            return change.observed  # not read this time (no table API): nothing to compare
        found = state.schemas[change.name]
        return "absent" if found is None else _observed(found)

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        return set()

    def write(self, change: Change, context: WriteContext) -> Written:
        from databricks.sdk.errors import NotFound

        client = context.writer.client
        catalog, _, name = change.name.partition(".")
        if change.action == Action.DELETE:
            with contextlib.suppress(NotFound):  # already gone: the goal is reached
                context.writer.call(
                    f"deleting schema {change.name}", lambda: client.schemas.delete(change.name)
                )
            return Written(change.name)
        from sharepack.workspace.write import already_exists, api_message

        properties = dict((change.settings or {}).get("properties") or {})
        try:
            client.schemas.create(name, catalog, properties=properties, comment="made by sharepack")
        except Exception as exc:
            # Retried after its answer was lost, a create finds its own schema: told by the code
            # Unity Catalog sends (SCHEMA_ALREADY_EXISTS, a 400) and by our mark on what is there.
            if not (already_exists(exc) and _made_by(client, change.name, change.pack)):
                raise WorkspaceError(f"creating schema {change.name}: {api_message(exc)}") from None
        return Written(change.name)


def _made_by(client: WorkspaceClient, full_name: str, pack: str) -> bool:
    try:
        found = client.schemas.get(full_name)
    except Exception:
        return False
    return is_managed(dict(found.properties or {}), pack)


def _publishers(actual: ActualState, pack: str) -> dict[str, set[str]]:
    """catalog.schema -> the pipelines this destroy leaves in place that publish there (a destroy
    reads every pipeline's settings, so the others' are known)."""
    found: dict[str, set[str]] = {}
    for pipelines in actual.pipelines.values():
        for pipeline in pipelines:
            spec = pipeline.spec or {}
            if not spec or is_managed(pipeline.tags, pack):
                continue
            schema = spec.get("schema") or spec.get("target")
            if spec.get("catalog") and schema:
                found.setdefault(f"{spec['catalog']}.{schema}", set()).add(f"pipeline {pipeline.name}")
    return found


def _observed(properties: dict[str, str] | object) -> str:
    owner = properties.get(PACK_TAG) if isinstance(properties, dict) else None
    return f"id:present:{owner or '-'}"
