"""The SharePack file as written: pydantic models with every key, its type, default and meaning.

These models describe the document, not the result: defaults from `pipeline_defaults` and
targets are applied later (`resolve.py`), which is why a setting's default lives both here (for
editors, through the JSON Schema) and in the resolver (which asks `model_fields_set` what was
written). Every model forbids unknown keys: a typo is an error, never silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from sharepack.pack.governance import Metadata
from sharepack.pack.model_base import SpecModel, Text, upper_choice
from sharepack.pack.sharing_models import CommaList, Mount, Recipient, ShareAssetItem
from sharepack.schedule.durations import duration_seconds
from sharepack.schedule.forms import (
    AnySchedule,
    EmailNotifications,
    Notifications,
    Schedule,
)


def _duration_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 1h or 30m")
    if isinstance(value, int):
        return f"{value}s"
    if isinstance(value, str):
        duration_seconds(value)
    return value


def _same(value: Any) -> Any:
    return value


def _scd_text(value: Any) -> Any:
    # Their workbooks and YAML write `2` as often as `"2"`.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.lower() if isinstance(value, str) else value


def _variable_shorthand(value: Any) -> Any:
    return value if isinstance(value, dict) else {"default": value}


Duration = Annotated[
    str,
    BeforeValidator(_duration_text),
    WithJsonSchema({"type": ["string", "integer"], "examples": ["1h", "30m", "1d"]}),
]


class ScheduleRemoval(SpecModel):
    """A pipeline's `schedule: {action: remove}` (the format's UPDATE files): no schedule, and its
    `<name>_schedule` job deleted when this pack made it. Read before validation (legacy_forms)."""

    action: Literal["remove"] = Field(description="remove: the pipeline's schedule job must not exist.")


# The YAML may say `schedule: continuous` or `notification: [a@b.com]`: the JSON Schema must too.
ScheduleField = Annotated[
    Schedule, BeforeValidator(_same, json_schema_input_type=str | AnySchedule | ScheduleRemoval)
]
NotificationField = Annotated[
    Notifications, BeforeValidator(_same, json_schema_input_type=list[str] | EmailNotifications)
]
Channel = Annotated[Literal["CURRENT", "PREVIEW"], upper_choice("CURRENT", "PREVIEW")]
ScdType = Annotated[
    Literal["1", "2", "full_refresh"],
    BeforeValidator(_scd_text, json_schema_input_type=Literal["1", "2", "full_refresh", 1, 2]),
]
Edition = Annotated[Literal["CORE", "PRO", "ADVANCED"], upper_choice("CORE", "PRO", "ADVANCED")]


class Variable(SpecModel):
    """A value used as `${var.NAME}` in any string of the pack."""

    default: Text | None = Field(
        None, description="The value unless a target or `--var NAME=VALUE` sets another."
    )
    description: str | None = Field(None, description="What the variable is for.")


VariableDecl = Annotated[
    Variable,
    BeforeValidator(_variable_shorthand, json_schema_input_type=str | int | float | bool | None | Variable),
]


class Library(SpecModel):
    """One source of a pipeline's code, as a workspace path: exactly one of notebook, file, glob."""

    notebook: str | None = Field(None, description="Workspace path of a notebook.")
    file: str | None = Field(None, description="Workspace path of a Python or SQL file.")
    glob: str | None = Field(None, description="A workspace path pattern, such as /Workspace/etl/**.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Library:
        given = [name for name in ("notebook", "file", "glob") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a library is exactly one of: notebook, file, glob")
        path = str(getattr(self, given[0]))
        if not path.startswith("/"):
            raise ValueError(
                f"{given[0]} path {path!r} must be a workspace path starting with / "
                "(such as /Workspace/Shared/etl/sync.py); sharepack does not upload files"
            )
        return self


class PipelineSettings(SpecModel):
    """The DLT settings a pipeline has; `pipeline_defaults` sets them for every pipeline."""

    catalog: str | None = Field(
        None,
        description="Unity Catalog catalog the pipeline publishes to. Default: the share's "
        "`delta_share.ext_catalog_name` (outside a share: the source asset's catalog).",
    )
    schema_name: str | None = Field(
        None,
        alias="schema",
        description="Schema the pipeline publishes to. Default: the share's `delta_share.ext_schema_name` "
        "(outside a share: the source asset's schema).",
    )
    serverless: bool = Field(True, description="Run on serverless compute.")
    libraries: list[Library] = Field(
        default_factory=list, description="The pipeline's code: notebooks, files or globs."
    )
    notebook: str | None = Field(None, description="Shorthand for `libraries: [{notebook: PATH}]`.")
    configuration: dict[str, Text] = Field(
        default_factory=dict, description="Spark/pipeline configuration, key to value."
    )
    channel: Channel | None = Field(None, description="DLT runtime channel: CURRENT or PREVIEW.")
    development: bool = Field(
        False, description="Development mode (no retries, cluster reuse). Refused in production targets."
    )
    continuous: bool = Field(False, description="Run as a continuous pipeline (cannot also have a schedule).")
    photon: bool | None = Field(None, description="Use Photon (classic compute).")
    edition: Edition | None = Field(None, description="Product edition: CORE, PRO or ADVANCED.")
    tags: dict[str, Text] = Field(
        default_factory=dict, description="Tags on the pipeline and on its schedule job."
    )
    notification: NotificationField | None = Field(
        None,
        description="Emails to tell: a list (told on failure) or a mapping by event "
        "(on_start, on_success, on_failure).",
    )
    schedule: ScheduleField | None = Field(
        None,
        description="When the pipeline runs: creates the job `<name>_schedule`. A cron string, "
        "'continuous', or a mapping with cron, every, at or on.",
    )


class PipelineDefaults(PipelineSettings):
    """Settings every pipeline gets unless it sets them itself (tags and configuration merge)."""


class Pipeline(PipelineSettings):
    """One DLT pipeline, and its schedule job when it has a schedule."""

    name_prefix: str = Field(description="The pipeline's name (a target may prefix it).")
    source_asset: str = Field(
        description="The table it syncs, catalog.schema.table; in a share, one of its share_assets."
    )
    target_asset: str | None = Field(
        None,
        description="The table it writes, a bare name inside its catalog.schema "
        "(configuration `pipelines.target_table`).",
    )
    scd_type: ScdType | None = Field(
        None,
        description='How changes are applied: "1", "2" (default when the pipeline says how it syncs) '
        'or "full_refresh" (configuration `pipelines.scd_type`).',
    )
    key_columns: CommaList | None = Field(
        None,
        description="Key columns, comma-separated or a list; required for SCD 2 "
        "(configuration `pipelines.keys`).",
    )
    pipeline_source: str | None = Field(
        None,
        description="Workspace path of the team's own generic sync notebook (or .py/.sql file): run "
        "instead of the generated code, given the sync keys as `pipelines.*` configuration.",
    )
    ext_catalog_name: str | None = Field(
        None,
        description="Catalog this pipeline publishes to, over the share's delta_share. Alias of catalog.",
    )
    ext_schema_name: str | None = Field(
        None, description="Schema this pipeline publishes to, over the share's delta_share. Alias of schema."
    )
    description: str | None = Field(None, description="Free text about the pipeline. Alias: comment.")
    comment: str | None = Field(None, description="Alias of `description`.")


class DeltaShare(SpecModel):
    """Where the share's pipelines publish (their default target); not where the share is mounted."""

    ext_catalog_name: str | None = Field(
        None, description="Catalog the share's pipelines publish to (their default `catalog`)."
    )
    ext_schema_name: str | None = Field(
        None, description="Schema the share's pipelines publish to (their default `schema`)."
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Words that describe the share (kept with the pack; shares carry no tags in Databricks).",
    )


class Share(SpecModel):
    """A Delta Share: the data it shares, who may read it, and the pipelines that sync its tables."""

    name: str = Field(description="The share's name (a target may prefix it).")
    comment: str | None = Field(None, description="Free text on the share. Alias: description.")
    description: str | None = Field(None, description="Alias of `comment`.")
    share_assets: list[ShareAssetItem] | None = Field(
        None,
        min_length=1,
        description="What the share shares, all of it: catalog.schema.table (a table), catalog.schema "
        "(a schema), or a mapping {name, type, shared_as, history, cdf}. Objects not listed are removed.",
    )
    share_assets_to_add: list[ShareAssetItem] | None = Field(
        None, description="Assets that must be in the share; others are left as they are."
    )
    share_assets_to_remove: CommaList | None = Field(
        None, description="Asset names that must not be in the share; others are left as they are."
    )
    recipients: CommaList | None = Field(
        None,
        description="Recipients granted SELECT on the share, all of them: declared under `recipient:`, "
        "or existing in the workspace already. Grants to the pack's recipients not listed are revoked.",
    )
    recipients_to_add: CommaList | None = Field(
        None, description="Recipients that must be granted SELECT; other grants are left as they are."
    )
    recipients_to_remove: CommaList | None = Field(
        None, description="Recipients whose grant must be revoked; other grants are left as they are."
    )
    mount: Mount | None = Field(
        None,
        description="Mount the share as a read-only catalog in a D2D recipient's workspace: "
        "{target, catalog}.",
    )
    delta_share: DeltaShare | None = Field(
        None, description="Catalog and schema the share's pipelines publish to."
    )
    pipelines: list[Pipeline] = Field(default_factory=list, description="The share's pipelines.")


class TaskSpec(SpecModel):
    """One pipeline of an orchestration and the pipelines it waits for."""

    pipeline: str = Field(description="A pipeline of the pack, by the name written in `name_prefix`.")
    depends_on: list[str] = Field(
        default_factory=list, description="Pipelines of this job that must finish first."
    )


class Job(SpecModel):
    """An orchestration: one job that runs several pipelines of the pack, in order or as a graph."""

    schedule: ScheduleField | None = Field(None, description="When the job runs (any schedule form).")
    pipelines: list[str] | None = Field(
        None, description="Pipelines to run one after the other (by `name_prefix`)."
    )
    tasks: list[TaskSpec] | None = Field(
        None, description="Pipelines to run as a graph: each with the pipelines it depends on."
    )
    tags: dict[str, Text] = Field(default_factory=dict, description="Tags on the job.")
    notification: NotificationField | None = Field(None, description="Emails to tell, as for a pipeline.")

    @model_validator(mode="after")
    def _pipelines_or_tasks(self) -> Job:
        if (self.pipelines is None) == (self.tasks is None):
            raise ValueError(
                "a job lists either `pipelines` (run one after the other) or `tasks` (a graph), "
                "exactly one of them"
            )
        return self


class Policy(SpecModel):
    """Rules every schedule of the pack must follow."""

    min_interval: Duration | None = Field(
        None, description="Shortest time allowed between two runs of a schedule, such as 1h."
    )


class TargetWorkspace(SpecModel):
    """The workspace a target deploys to (otherwise: flags, environment, ~/.databrickscfg)."""

    host: str | None = Field(None, description="Workspace URL, or `local` for the embedded emulator.")
    profile: str | None = Field(None, description="A profile of ~/.databrickscfg.")
    root_path: str | None = Field(
        None,
        pattern=r"^/",
        description="Workspace folder for what sharepack uploads (generated pipeline code goes to "
        "<root_path>/<pack>/pipelines/). Default: /Workspace/Shared/.sharepack",
    )


class Target(SpecModel):
    """A deployment target (such as dev or prod), chosen with --target."""

    mode: Literal["development", "production"] | None = Field(
        None,
        description="development: names prefixed with dev_<user>_, schedules paused, pipelines in "
        "development mode. production: development pipelines are refused.",
    )
    default: bool = Field(False, description="Use this target when --target is not given.")
    workspace: TargetWorkspace | None = Field(None, description="Where this target deploys.")
    variables: dict[str, Text] = Field(default_factory=dict, description="Variable values for this target.")
    pipeline_defaults: PipelineDefaults | None = Field(
        None, description="Settings for every pipeline in this target, over the pack's pipeline_defaults."
    )
    name_prefix: str | None = Field(
        None,
        description="Prefix of every pipeline and job name. Default in development mode: "
        "dev_${workspace.current_user.short_name}_",
    )


class SharePack(SpecModel):
    """A SharePack: Delta Shares, their recipients, the DLT pipelines that sync them, and their schedules."""

    model_config = ConfigDict(
        title="SharePack",
        json_schema_extra={
            "anyOf": [{"required": ["share"]}, {"required": ["pipelines"]}, {"required": ["recipient"]}]
        },
    )

    metadata: Metadata | None = Field(None, description="The pack's name, owner and workspace.")
    variables: dict[str, VariableDecl] = Field(
        default_factory=dict,
        description="Values used as ${var.NAME}: NAME: default, or NAME: {default, description}.",
    )
    policy: Policy | None = Field(None, description="Rules every schedule must follow.")
    pipeline_defaults: PipelineDefaults | None = Field(
        None, description="Settings every pipeline gets unless it sets them itself."
    )
    recipient: list[Recipient] = Field(
        default_factory=list, description="Delta Sharing recipients the pack declares (D2D or D2O)."
    )
    share: list[Share] = Field(
        default_factory=list, description="The shares: their assets, recipients, mount and pipelines."
    )
    pipelines: list[Pipeline] = Field(default_factory=list, description="Pipelines outside any share.")
    jobs: dict[str, Job] = Field(
        default_factory=dict, description="Orchestrations: jobs that run several pipelines, by job name."
    )
    targets: dict[str, Target] = Field(
        default_factory=dict, description="Deployment targets (dev, prod, ...), chosen with --target."
    )
