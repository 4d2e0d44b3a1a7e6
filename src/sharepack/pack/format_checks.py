"""Checks of the keys that come from the share-pack format users already hold: governance fields,
change lists, `token_rotation`, and a pipeline's sync keys (target_asset, scd_type, key_columns).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING

from sharepack.pack.governance import people_problem
from sharepack.pack.names import invisible_char_problem, ip_problem, name_key, uc_name_problem
from sharepack.pack.resolve import YamlPath
from sharepack.pack.sync_rules import RESERVED_COLUMNS

if TYPE_CHECKING:
    from sharepack.pack.checks import Checker
    from sharepack.pack.models import Pipeline

_PEOPLE = ("requestor", "configurator", "approver", "executive_team")
ASSET_LISTS = ("share_assets", "share_assets_to_add", "share_assets_to_remove")
NO_ASSETS = "missing required key 'share_assets'"
NO_ASSETS_HINT = (
    "list the share's assets in `share_assets` (or say what changes: share_assets_to_add, "
    "share_assets_to_remove)"
)
# (full list, add list, remove list) of each place the format gives change lists.
_SHARE_LISTS = (
    ASSET_LISTS,
    ("recipients", "recipients_to_add", "recipients_to_remove"),
)
_IP_LISTS = ("recipient_ips", "recipient_ips_to_add", "recipient_ips_to_remove")


def check_format(checker: Checker) -> None:
    _check_metadata(checker)
    for i, recipient in enumerate(checker.spec.recipient):
        path: YamlPath = ("recipient", i)
        if recipient.token_rotation:
            checker.report(
                (*path, "token_rotation"),
                "`token_rotation: true` would rotate the token on every apply; sharepack does not",
                f"rotate it when you choose: sharepack rotate-token PACK RECIPIENT "
                f"(here: sharepack rotate-token {checker.file} {recipient.name}), and remove the key",
            )
        lists = [getattr(recipient, key) for key in _IP_LISTS]
        _check_overlap(checker, path, _IP_LISTS, lists, key=lambda ip: ip.removesuffix("/32"))
        if recipient.type == "D2O":
            for key in _IP_LISTS[1:]:
                for j, address in enumerate(getattr(recipient, key) or ()):
                    checker.check(ip_problem(address), (*path, key, j))
    for s, share in enumerate(checker.spec.share):
        path = ("share", s)
        if (
            share.share_assets is None
            and share.share_assets_to_add is None
            and not share.share_assets_to_remove
        ):
            checker.report(path, NO_ASSETS, NO_ASSETS_HINT)
        for keys in _SHARE_LISTS:
            lists = [getattr(share, key) for key in keys]
            if keys[0] == "share_assets":
                lists = [[a.name for a in lists[0] or ()], [a.name for a in lists[1] or ()], lists[2]]
            _check_overlap(checker, path, keys, lists, key=lambda name: name_key(name))
        for p, pipeline in enumerate(share.pipelines):
            check_sync_keys(checker, pipeline, (*path, "pipelines", p))
    for p, pipeline in enumerate(checker.spec.pipelines):
        check_sync_keys(checker, pipeline, ("pipelines", p))


def _check_metadata(checker: Checker) -> None:
    metadata = checker.spec.metadata
    if metadata is None:
        return
    for key in _PEOPLE:
        value = getattr(metadata, key)
        if value is not None:
            checker.check(
                people_problem(value), ("metadata", key), "e-mails or AD group names, comma-separated"
            )
    if metadata.contact_email is not None:
        checker.check(people_problem(metadata.contact_email, emails_only=True), ("metadata", "contact_email"))


def _check_overlap(
    checker: Checker,
    path: YamlPath,
    keys: Sequence[str],
    lists: Sequence[Sequence[str] | None],
    *,
    key: Callable[[str], Hashable],
) -> None:
    """A value both wanted and unwanted: in the add (or full) list and in the remove list."""
    normal = key
    full, add, remove = lists
    wanted: dict[Hashable, tuple[str, int]] = {}
    for list_key, values in ((keys[0], full), (keys[1], add)):
        for j, value in enumerate(values or ()):
            line = checker.index.position((*path, list_key, j))[0]
            wanted.setdefault(normal(value), (list_key, line))
    for j, value in enumerate(remove or ()):
        found = wanted.get(normal(value))
        if found is not None:
            checker.report(
                (*path, keys[2], j),
                f"{value!r} is in `{keys[2]}` and also in `{found[0]}` at line {found[1]}",
                "a value is either wanted or not: keep it in one list",
            )


def key_column_problem(column: str) -> str | None:
    """A key column the generated code can merge on: a column name, not one of the change data
    feed's own columns nor one the generated code or AUTO CDC adds."""
    if not column.strip() or "`" in column or column != column.strip():
        return f"{column!r} is not a column name"
    hidden = invisible_char_problem(column, "key column")
    if hidden:
        return hidden
    reserved = next((c for c in RESERVED_COLUMNS if c.lower() == column.lower()), None)
    if reserved:
        return (
            f"{column!r} cannot be a key: {reserved} is a column of the change data feed, "
            "or one the sync code or AUTO CDC adds"
        )
    return None


def check_sync_keys(checker: Checker, pipeline: Pipeline, path: YamlPath) -> None:
    written = pipeline.model_fields_set
    for own, alias in (
        ("catalog", "ext_catalog_name"),
        ("schema_name", "ext_schema_name"),
        ("description", "comment"),
    ):
        if own in written and alias in written:
            shown = "schema" if own == "schema_name" else own
            checker.report(
                (*path, alias), f"`{alias}` is another name for `{shown}`: give one of them", key=True
            )
    # ext_catalog_name / ext_schema_name become the pipeline's catalog / schema, checked as such.
    if pipeline.target_asset is not None:
        problem = uc_name_problem(pipeline.target_asset, "target_asset")
        hint = "a bare table name: the pipeline's catalog and schema hold it" if problem else None
        checker.check(problem, (*path, "target_asset"), hint)
    for j, column in enumerate(pipeline.key_columns or ()):
        checker.check(key_column_problem(column), (*path, "key_columns", j))
    if pipeline.pipeline_source is not None:
        where = (*path, "pipeline_source")
        if not pipeline.pipeline_source.startswith("/"):
            checker.report(where, f"{pipeline.pipeline_source!r} is not a workspace path", "start it with /")
        elif written & {"notebook", "libraries"}:
            checker.report(
                where, "`pipeline_source` is the pipeline's code: give it or `notebook`/`libraries`"
            )
    uses = written & {"target_asset", "scd_type", "key_columns"}
    if pipeline.scd_type == "1" and not pipeline.key_columns:
        # The format's own templates say "Empty for Type 1": with no key there is nothing to merge
        # on, so the one faithful meaning is a full copy (resolve.py plans it as full_refresh).
        checker.notice(
            (*path, "scd_type"),
            f'pipeline {pipeline.name_prefix!r} is scd_type "1" with no key_columns: with no key there '
            "is nothing to merge on, so it is planned as full_refresh (the whole source copied on every "
            "run)",
            'list its key columns (`key_columns: "id"`) to apply changes incrementally as SCD 1',
        )
    if uses and (pipeline.scd_type or "2") == "2" and not pipeline.key_columns:
        checker.report(
            path,
            f"pipeline {pipeline.name_prefix!r} applies changes as SCD 2 (the default), which needs "
            "`key_columns`",
            'list the key columns (`key_columns: "id"`), or set `scd_type: "1"` or "full_refresh"',
        )
