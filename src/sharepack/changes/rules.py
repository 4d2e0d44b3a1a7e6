"""Which settings sharepack manages and how the server fills them in, as data.

A field absent on one side counts as its default, so a value the server fills in (a job's
`timeout_seconds: 0`, a task's `run_if: ALL_SUCCESS`) never shows as a change. Lists of tasks are
compared by `task_key`, so reordering is not a change. Fields not listed here are not ours and
are never compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldRule:
    default: Any = None
    keyed_by: str | None = None  # a list compared as a mapping by this key
    item_rules: Mapping[str, FieldRule] | None = None  # the managed fields of each keyed item
    unordered: bool = False  # a list whose order carries no meaning
    nested_defaults: Mapping[str, Any] = field(default_factory=dict)  # defaults inside a mapping


_DEPENDS_ON = FieldRule(default=[], keyed_by="task_key", item_rules={"task_key": FieldRule()})

TASK_RULES: Mapping[str, FieldRule] = {
    "task_key": FieldRule(),
    "pipeline_task": FieldRule(nested_defaults={"full_refresh": False}),
    "depends_on": _DEPENDS_ON,
    "max_retries": FieldRule(default=0),
    "min_retry_interval_millis": FieldRule(default=0),
    "retry_on_timeout": FieldRule(default=False),
    "timeout_seconds": FieldRule(default=0),
    "run_if": FieldRule(default="ALL_SUCCESS"),
}

JOB_RULES: Mapping[str, FieldRule] = {
    "name": FieldRule(),
    "tasks": FieldRule(default=[], keyed_by="task_key", item_rules=TASK_RULES),
    "schedule": FieldRule(nested_defaults={"pause_status": "UNPAUSED"}),
    "continuous": FieldRule(nested_defaults={"pause_status": "UNPAUSED"}),
    "trigger": FieldRule(nested_defaults={"pause_status": "UNPAUSED"}),
    "max_concurrent_runs": FieldRule(default=1),
    "timeout_seconds": FieldRule(default=0),
    "email_notifications": FieldRule(default={}),
    "webhook_notifications": FieldRule(default={}),
    "tags": FieldRule(default={}),
    "parameters": FieldRule(
        default=[], keyed_by="name", item_rules={"name": FieldRule(), "default": FieldRule()}
    ),
    "queue": FieldRule(default={"enabled": False}),
}

PIPELINE_RULES: Mapping[str, FieldRule] = {
    "name": FieldRule(),
    "catalog": FieldRule(),
    "schema": FieldRule(),
    "serverless": FieldRule(default=False),
    "development": FieldRule(default=False),
    "continuous": FieldRule(default=False),
    "configuration": FieldRule(default={}),
    "libraries": FieldRule(default=[], unordered=True),
    "channel": FieldRule(default="CURRENT"),
    "photon": FieldRule(default=False),
    "edition": FieldRule(default="ADVANCED"),
    "tags": FieldRule(default={}),
    "notifications": FieldRule(default=[], unordered=True),
}
