"""Checks of the Delta Sharing half: recipients, a share's assets, its grants and its mount.

Names are compared as Unity Catalog compares them (case-insensitively, backticks aside), so two
entries that Databricks would take for one are reported here rather than by a failed apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.errors import did_you_mean
from sharepack.pack.models import Share
from sharepack.pack.names import (
    METASTORE_ID_HINT,
    dotted_name_problem,
    email_problem,
    ip_problem,
    metastore_id_problem,
    name_key,
    split_name,
    uc_name_problem,
)
from sharepack.pack.resolve import YamlPath
from sharepack.pack.resolved import AssetType
from sharepack.pack.sharing_models import Recipient, ShareAsset

if TYPE_CHECKING:
    from sharepack.pack.checks import Checker

_OBJECT_LABELS: dict[str, str] = {
    "TABLE": "table",
    "VIEW": "view",
    "MATERIALIZED_VIEW": "view",
    "STREAMING_TABLE": "table",
    "MODEL": "model",
    "VOLUME": "volume",
}


def asset_labels(kind: AssetType) -> tuple[str, ...]:
    return ("catalog", "schema") if kind == "SCHEMA" else ("catalog", "schema", _OBJECT_LABELS[kind])


def asset_name_problem(asset: ShareAsset) -> str | None:
    parts = split_name(asset.name)
    if asset.type is None and (parts is None or len(parts) not in (2, 3)):
        return f"{asset.name!r} is neither catalog.schema.table (a table) nor catalog.schema (a schema)"
    kind = asset.resolved_type()
    labels = asset_labels(kind)
    if parts is not None and len(parts) != len(labels):
        return f"a {kind} is named {'.'.join(labels)}, not {asset.name!r}"
    return dotted_name_problem(asset.name, labels)


def shared_as_problem(asset: ShareAsset, shared_as: str) -> str | None:
    kind = asset.resolved_type()
    labels = asset_labels(kind)[1:]
    parts = split_name(shared_as)
    if parts is None or len(parts) != len(labels):
        return f"a {kind} is shared as {'.'.join(labels)}, not {shared_as!r}"
    for label, part in zip(labels, parts, strict=True):
        problem = dotted_name_problem(part, (label,))
        if problem:
            return problem
    return None


def share_key(asset: ShareAsset) -> tuple[str, ...]:
    """What `covers` compares, computed once: a schema's key is marked, a table's is its name's."""
    own = name_key(asset.name)
    return ("SCHEMA", *own) if asset.resolved_type() == "SCHEMA" else own


def covers(asset: ShareAsset, source_asset: str) -> bool:
    """Whether syncing `source_asset` reads data this asset shares (a schema shares its tables)."""
    source = name_key(source_asset)
    own = name_key(asset.name)
    if asset.resolved_type() == "SCHEMA":
        return source[:2] == own
    return source == own


def check_sharing(checker: Checker) -> None:
    recipients = _check_recipients(checker)
    _check_shares(checker, recipients)


def _prefix(checker: Checker) -> str:
    return checker.pack.target.name_prefix if checker.pack.target else ""


def _final_name(checker: Checker, name: str, what: str, path: YamlPath) -> None:
    prefix = _prefix(checker)
    problem = uc_name_problem(prefix + name, what)
    hint = None
    if problem and prefix and uc_name_problem(name, what) is None:
        hint = f"the target's name_prefix {prefix!r} is part of the name"
    checker.check(problem, path, hint)


def _check_alias(checker: Checker, declared: Share | Recipient, path: YamlPath) -> None:
    if declared.comment is not None and declared.description is not None:
        checker.report(
            (*path, "description"),
            "`description` is another name for `comment`: give one of them",
            key=True,
        )


def _check_recipients(checker: Checker) -> dict[str, Recipient]:
    seen: dict[str, int] = {}
    declared: dict[str, Recipient] = {}
    for i, recipient in enumerate(checker.spec.recipient):
        path: YamlPath = ("recipient", i)
        name_path = (*path, "name")
        checker.unique(seen, recipient.name, name_path, "recipient name", key=recipient.name.lower())
        declared.setdefault(recipient.name.lower(), recipient)
        _final_name(checker, recipient.name, "recipient name", name_path)
        if recipient.recipient is not None:
            checker.check(email_problem(recipient.recipient), (*path, "recipient"))
        _check_alias(checker, recipient, path)
        if recipient.type == "D2D":
            _check_d2d(checker, recipient, path)
        else:
            _check_d2o(checker, recipient, path)
    return declared


def _check_d2d(checker: Checker, recipient: Recipient, path: YamlPath) -> None:
    org = recipient.recipient_databricks_org
    if org is None:
        checker.report(
            path,
            f"D2D recipient {recipient.name!r} needs `recipient_databricks_org`, "
            "the global ID of its metastore",
            "`SELECT CURRENT_METASTORE()` in the recipient's workspace shows it",
        )
    else:
        checker.check(metastore_id_problem(org), (*path, "recipient_databricks_org"), METASTORE_ID_HINT)
    for key in ("recipient_ips", "recipient_ips_to_add", "recipient_ips_to_remove", "token_expiry"):
        if key in recipient.model_fields_set:
            checker.report(
                (*path, key),
                f"`{key}` is for D2O (token) recipients; a D2D recipient is reached through its metastore",
                "remove it, or set `type: D2O`",
                key=True,
            )


def _check_d2o(checker: Checker, recipient: Recipient, path: YamlPath) -> None:
    if "recipient_databricks_org" in recipient.model_fields_set:
        checker.report(
            (*path, "recipient_databricks_org"),
            "`recipient_databricks_org` is for D2D recipients; a D2O recipient is reached by a token",
            "remove it, or set `type: D2D`",
            key=True,
        )
    seen: dict[str, int] = {}
    for j, address in enumerate(recipient.recipient_ips or []):
        where = (*path, "recipient_ips", j)
        problem = ip_problem(address)
        checker.check(problem, where)
        if problem is None:
            checker.unique(seen, address, where, "IP address", key=address.removesuffix("/32"))


def _check_shares(checker: Checker, recipients: dict[str, Recipient]) -> None:
    seen: dict[str, int] = {}
    mounts: dict[tuple[str, str], int] = {}  # (target, catalog) -> line: one catalog, one share
    publishers: dict[str, str] = {}
    for pipeline in checker.pack.pipelines:
        publishers.setdefault(pipeline.catalog.lower(), pipeline.name)
    for s, share in enumerate(checker.spec.share):
        path: YamlPath = ("share", s)
        checker.unique(seen, share.name, (*path, "name"), "share name", key=share.name.lower())
        _final_name(checker, share.name, "share name", (*path, "name"))
        _check_alias(checker, share, path)
        _check_assets(checker, share, path)
        publish = share.delta_share
        for key in ("ext_catalog_name", "ext_schema_name"):
            value = getattr(publish, key) if publish else None
            if value is not None:
                checker.check(uc_name_problem(value, key), (*path, "delta_share", key))
        _check_grants(checker, share, path, recipients)
        if share.mount is not None:
            _check_mount(checker, share, path, recipients, publishers)
            mount = share.mount
            checker.unique(
                mounts,
                mount.catalog,
                (*path, "mount", "catalog"),
                f"mounted catalog in target {mount.target!r}",
                key=(mount.target, mount.catalog.lower()),
            )


def _check_assets(checker: Checker, share: Share, path: YamlPath) -> None:
    names: dict[tuple[str, ...], int] = {}
    shown: dict[tuple[str, ...], tuple[str, int]] = {}  # shared_as -> (asset name, line)
    listed = [
        ((*path, key, a), asset)
        for key in ("share_assets", "share_assets_to_add")
        for a, asset in enumerate(getattr(share, key) or ())
    ]
    for a, name in enumerate(share.share_assets_to_remove or ()):
        checker.check(_removed_asset_problem(name), (*path, "share_assets_to_remove", a))
    for item, asset in listed:
        name_path = (*item, "name")
        problem = asset_name_problem(asset)
        checker.check(problem, name_path)
        if problem:
            continue
        if asset.history is not None and asset.cdf is not None:
            checker.report(
                (*item, "cdf"),
                f"{asset.name!r} sets both `history` and `cdf`; Databricks takes only one of them",
                "drop `cdf`: sharing the history shares the change data feed too",
            )
        key = name_key(asset.name)
        if key in names:
            checker.unique(names, asset.name, name_path, "share asset", key=key)
            continue
        names[key] = checker.index.position(name_path)[0]
        if asset.shared_as is not None:
            where = (*item, "shared_as")
            problem = shared_as_problem(asset, asset.shared_as)
            checker.check(problem, where)
            if problem:
                continue
            shared_as = name_key(asset.shared_as)
        else:
            where = name_path
            shared_as = key[1:]
        if shared_as in shown:
            first, line = shown[shared_as]
            seen_as = ".".join(shared_as)
            message = (
                f"shared_as {asset.shared_as!r}"
                if asset.shared_as is not None
                else f"{asset.name!r} is shared as {seen_as!r} (its name without the catalog), which"
            )
            checker.report(
                where,
                f"{message} is already the shared name of {first!r} at line {line}",
                "the names recipients see are unique in a share: set a distinct `shared_as` on one of them",
            )
        else:
            shown[shared_as] = (asset.name, checker.index.position(where)[0])


def _removed_asset_problem(name: str) -> str | None:
    parts = split_name(name)
    if parts is None or len(parts) not in (2, 3):
        return f"{name!r} is neither catalog.schema.table (a table) nor catalog.schema (a schema)"
    return dotted_name_problem(name, ("catalog", "schema", "table")[: len(parts)])


def granted_names(share: Share) -> list[str]:
    """The recipients the share must be granted to: its full list and its additions."""
    return [*(share.recipients or ()), *(share.recipients_to_add or ())]


def _check_grants(checker: Checker, share: Share, path: YamlPath, recipients: dict[str, Recipient]) -> None:
    seen: dict[str, int] = {}
    for key in ("recipients", "recipients_to_add", "recipients_to_remove"):
        for i, name in enumerate(getattr(share, key) or ()):
            where = (*path, key, i)
            if key != "recipients_to_remove":
                checker.unique(seen, name, where, "recipient", key=name.lower())
            if name.lower() not in recipients:  # one that exists already: the engine checks it is there
                checker.check(uc_name_problem(name, "recipient name"), where)


def _check_mount(
    checker: Checker,
    share: Share,
    path: YamlPath,
    recipients: dict[str, Recipient],
    publishers: dict[str, str],
) -> None:
    mount = share.mount
    assert mount is not None
    where = (*path, "mount")
    targets = checker.spec.targets
    if mount.target not in targets:
        hint = did_you_mean(mount.target, targets) or "declare the recipient's workspace under `targets:`"
        checker.report((*where, "target"), f"{mount.target!r} is not a target of this pack", hint)
    catalog_problem = uc_name_problem(mount.catalog, "catalog name")
    checker.check(catalog_problem, (*where, "catalog"))
    publisher = publishers.get(mount.catalog.lower())
    if catalog_problem is None and publisher is not None:
        checker.report(
            (*where, "catalog"),
            f"pipeline {publisher!r} publishes to catalog {mount.catalog!r}; "
            "a mounted share is a read-only catalog",
            "mount the share under another catalog name",
        )
    granted = [recipients.get(name.lower()) for name in granted_names(share)]
    if not any(r is not None and r.type == "D2D" for r in granted):
        d2d = [r.name for r in checker.spec.recipient if r.type == "D2D"]
        hint = (
            "grant it to one of: " + ", ".join(d2d)
            if d2d
            else "declare the recipient under `recipient:` with `type: D2D`, and list it in `recipients`"
        )
        checker.report(
            where,
            f"share {share.name!r} is mounted, which only a D2D recipient can do, "
            "and no D2D recipient of this pack is in its `recipients`",
            hint,
            key=True,
        )
