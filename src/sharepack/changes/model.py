"""A plan is a value: the changes to make, each with the settings to send and what was observed.

`apply` executes exactly these changes; a saved plan is this value as JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sharepack.changes.diff import FieldChange

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ADOPT = "adopt"
    DELETE = "delete"
    NOOP = "no-op"
    # Not actions but verdicts: the resource is left alone and the reason reported.
    AMBIGUOUS = "ambiguous"
    CONFLICT = "conflict"
    # A field that cannot be changed in place differs: we refuse a silent delete + create.
    IMMUTABLE = "immutable"


MUTATING = frozenset({Action.CREATE, Action.UPDATE, Action.ADOPT, Action.DELETE})
REFUSED = frozenset({Action.AMBIGUOUS, Action.CONFLICT, Action.IMMUTABLE})


class ResourceType(StrEnum):
    PIPELINE = "pipeline"
    JOB = "job"
    RECIPIENT = "recipient"
    SHARE = "share"
    SHARE_OBJECTS = "share_objects"  # a share's data objects: one PATCH carries every change
    GRANT = "grant"  # SELECT on a share for a recipient; named "<share>:<recipient>"
    CATALOG = "catalog"  # a share mounted in the recipient's workspace (another target's)
    SCHEMA = "schema"  # where sync pipelines publish, created when missing; named "catalog.schema"
    WORKSPACE_FILE = "workspace_file"  # a pipeline's generated source, named by its workspace path

    @property
    def key_prefix(self) -> str:
        return f"{self.value}:"


def change_key(resource_type: ResourceType, name: str) -> str:
    """A change's identity within a plan: names are unique per kind, not across kinds."""
    return f"{resource_type.value}:{name}"


@dataclass(frozen=True)
class Change:
    action: Action
    resource_type: ResourceType
    name: str
    pack: str
    id: str | None = None
    diff: tuple[FieldChange, ...] = ()
    # The full settings to send (create/update/adopt); job tasks may still name pipelines by
    # `pipeline:<name>` when those pipelines are created by the same plan.
    settings: Mapping[str, Any] | None = None
    observed: str = "absent"  # what was read, to refuse a saved plan once the workspace moved on
    pipelines: tuple[str, ...] = ()  # for jobs: the pipelines its tasks run
    message: str | None = None  # why ambiguous/conflict, or a note
    details: tuple[str, ...] = ()  # schedule description, next fire times
    warnings: tuple[str, ...] = ()

    @property
    def is_mutating(self) -> bool:
        return self.action in MUTATING

    @property
    def key(self) -> str:
        return change_key(self.resource_type, self.name)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.action.value,
            "resource_type": self.resource_type.value,
            "name": self.name,
            "pack": self.pack,
            "id": self.id,
            "diff": [d.to_dict() for d in self.diff],
        }
        for key in ("message",):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.details:
            data["details"] = list(self.details)
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if self.pipelines:
            data["pipelines"] = list(self.pipelines)
        data["observed"] = self.observed
        if self.settings is not None:
            data["settings"] = self.settings
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        return cls(
            action=Action(data["action"]),
            resource_type=ResourceType(data["resource_type"]),
            name=data["name"],
            pack=data["pack"],
            id=data.get("id"),
            diff=tuple(FieldChange(d["path"], d["before"], d["after"]) for d in data.get("diff", [])),
            settings=data.get("settings"),
            observed=data.get("observed", "absent"),
            pipelines=tuple(data.get("pipelines", [])),
            message=data.get("message"),
            details=tuple(data.get("details", [])),
            warnings=tuple(data.get("warnings", [])),
        )


@dataclass(frozen=True)
class AccessChange:
    """What a plan does to who can read what: `recipient` gains or loses read on `object`
    through `share`. `recipient_type` is D2O (external, token), D2D (another metastore) or
    unknown (a grantee the plan did not read)."""

    recipient: str
    recipient_type: str
    share: str
    object: str
    change: str  # gains | loses

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "recipient_type": self.recipient_type,
            "share": self.share,
            "object": self.object,
            "change": self.change,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessChange:
        return cls(
            recipient=str(data["recipient"]),
            recipient_type=str(data["recipient_type"]),
            share=str(data["share"]),
            object=str(data["object"]),
            change=str(data["change"]),
        )


@dataclass(frozen=True)
class MountChange:
    """The consuming side: a catalog in the recipient's workspace (a target of the pack) that
    shows a share to that workspace's users — or stops showing it."""

    target: str
    catalog: str
    share: str
    recipient: str | None  # the D2D recipient that workspace's metastore is, when declared
    change: str  # mounts | unmounts
    objects: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "catalog": self.catalog,
            "share": self.share,
            "recipient": self.recipient,
            "change": self.change,
            "objects": list(self.objects),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MountChange:
        return cls(
            target=str(data["target"]),
            catalog=str(data["catalog"]),
            share=str(data["share"]),
            recipient=data.get("recipient"),
            change=str(data["change"]),
            objects=tuple(data.get("objects", [])),
        )


@dataclass(frozen=True)
class Plan:
    pack: str
    source: str  # the SharePack file
    host: str
    target: str | None = None
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    selection: tuple[str, ...] = ()
    prune: bool = False
    format_version: int = FORMAT_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Pipelines whose settings were not fetched: the plan trusted their schedule job's digest
    # (`--trust-digest`), so a hand edit to them would not show. 0 in the default exact plan.
    digest_only: int = 0
    # The pack's governance fields (requestor, approver_status, servicenow...), when it gives any.
    governance: Mapping[str, str] = field(default_factory=dict)
    # Who gains or loses read on what, worked out from the changes (plan/access.py).
    access: tuple[AccessChange, ...] = ()
    mounts: tuple[MountChange, ...] = ()
    # Where the pack's name comes from (metadata.name, metadata.project_name, file name); None in
    # plans built without a pack file (the golden plans), which keep their shape.
    identity: str | None = None
    # Packs that own what this plan conflicts on and look like this pack under an earlier name
    # (same project_name, or every resource of this pack that exists is theirs).
    same_pack: tuple[str, ...] = ()

    @property
    def approval_refused(self) -> str | None:
        """The approver_status when the pack gives one other than approved: apply sends nothing."""
        status = self.governance.get("approver_status")
        return status if status is not None and status != "approved" else None

    @property
    def has_changes(self) -> bool:
        return any(c.is_mutating for c in self.changes)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.action.value for c in self.changes)
        summary = {action.value: counts.get(action.value, 0) for action in Action}
        if not summary[Action.IMMUTABLE.value]:
            # Newer than format_version 1's readers: said only when it happens.
            del summary[Action.IMMUTABLE.value]
        return summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "pack": self.pack,
            "source": self.source,
            "host": self.host,
            "target": self.target,
            "selection": list(self.selection),
            "prune": self.prune,
            "access_changes": [a.to_dict() for a in self.access],
            **({"mount_changes": [m.to_dict() for m in self.mounts]} if self.mounts else {}),
            "changes": [c.to_dict() for c in self.changes],
            "warnings": list(self.warnings),
            "summary": self.summary,
            # Only when it happened: exact plans (and the golden files) keep their shape.
            **({"compared_by_digest_only": self.digest_only} if self.digest_only else {}),
            **({"governance": dict(self.governance)} if self.governance else {}),
            **({"identity": self.identity} if self.identity else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            pack=data["pack"],
            source=data["source"],
            host=data["host"],
            target=data.get("target"),
            changes=tuple(Change.from_dict(c) for c in data["changes"]),
            warnings=tuple(data.get("warnings", [])),
            selection=tuple(data.get("selection", [])),
            prune=bool(data.get("prune", False)),
            digest_only=int(data.get("compared_by_digest_only", 0)),
            governance=dict(data.get("governance", {})),
            access=tuple(AccessChange.from_dict(a) for a in data.get("access_changes", [])),
            mounts=tuple(MountChange.from_dict(m) for m in data.get("mount_changes", [])),
            identity=data.get("identity"),
        )
