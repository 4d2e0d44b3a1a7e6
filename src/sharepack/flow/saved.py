"""A saved plan (`plan --out`, `apply plan.json`): written atomically, and applied only to the
workspace it was made for and only while nothing it read has moved."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sharepack.changes.model import Plan
from sharepack.errors import SharepackError, UsageError
from sharepack.flow.deployment import Deployment, open_deployment
from sharepack.flow.plans import DeployOptions, PlanPair
from sharepack.plan.freshness import check_fresh


def check_plan_out(path: Path, inputs: Sequence[Path]) -> None:
    """`plan --out` writes only a new file or an earlier saved plan: never a symlink (its target
    could be anything), a folder, one of its own input packs, or any other existing file."""
    if path.is_symlink():
        raise UsageError(f"--out {path} is a symbolic link; sharepack does not write through links")
    if not path.exists():
        return
    if path.is_dir():
        raise UsageError(f"--out {path} is a folder", hint="give a file name, e.g. plan.json")
    if any(_same_file(path, pack) for pack in inputs):
        raise UsageError(f"--out {path} is the SharePack being planned; it would be overwritten")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        saved_plan = isinstance(data, dict) and isinstance(data.get("plans"), list)
    except (OSError, ValueError):
        saved_plan = False
    if not saved_plan:
        raise UsageError(
            f"--out {path} exists and is not a saved plan; it is left as it is",
            hint="choose another --out, or delete the file first",
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def save_plans(plans: Sequence[PlanPair], path: Path) -> None:
    import os
    import tempfile

    data = {
        "format_version": 1,
        "plans": [p.to_dict() for p, _ in plans],
        # Where known (the SDK reads it from the host's metadata, a profile or the environment),
        # the workspace ID each plan was made for: one URL can front more than one workspace.
        "workspace_ids": [workspace_id(d) for _, d in plans],
    }
    # Written beside it and renamed into place: a link created meanwhile is replaced, not followed.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_saved_plans(path: Path, options: DeployOptions) -> list[PlanPair]:
    """A saved plan, re-checked against the workspace: refused if anything it read has moved on."""
    from sharepack.changes.model import FORMAT_VERSION

    hint = "make one with: sharepack plan FILE --out plan.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SharepackError(f"{path}: not JSON ({exc})", hint=hint) from None
    if not isinstance(data, dict) or not isinstance(data.get("plans"), list):
        raise SharepackError(f'{path}: not a saved sharepack plan (no "plans" list)', hint=hint)
    if data.get("format_version") != FORMAT_VERSION:
        raise SharepackError(
            f"{path}: saved plan format {data.get('format_version')!r} is not the one this sharepack "
            f"reads ({FORMAT_VERSION})",
            hint="make the plan again with this version of sharepack",
        )
    try:
        plans = [Plan.from_dict(p) for p in data["plans"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SharepackError(f"{path}: a plan in it is incomplete or damaged", hint=hint) from None
    pairs: list[PlanPair] = []
    for saved in plans:
        selection = replace(options, target=options.target or saved.target).selection
        deployment = open_deployment(saved.source, selection, parallelism=options.parallelism)
        if not same_workspace(saved.host, deployment.workspace.label):
            deployment.close()
            raise SharepackError(
                f"{path} was planned for {saved.host}, not {deployment.workspace.label}: "
                "a saved plan is applied only to the workspace it was made for",
                hint=f"plan for it: {deployment.command('plan', saved.source, '--out', str(path))}",
            )
        ids = data.get("workspace_ids")
        planned_id = ids[len(pairs)] if isinstance(ids, list) and len(ids) == len(plans) else None
        now_id = workspace_id(deployment)
        if planned_id and now_id and str(planned_id) != now_id:
            deployment.close()
            raise SharepackError(
                f"{path} was planned for workspace {planned_id}, not workspace {now_id} "
                f"({deployment.workspace.label}): a saved plan is applied only to the workspace "
                "it was made for",
                hint=f"plan for it: {deployment.command('plan', saved.source, '--out', str(path))}",
            )
        actual = deployment.read(complete=saved.prune)
        moved = check_fresh(saved, actual)
        if moved:
            deployment.close()
            raise SharepackError(
                f"the workspace changed since the plan was made: {'; '.join(moved[:5])}",
                hint=f"make a new plan: {deployment.command('plan', saved.source, '--out', str(path))}",
            )
        pairs.append((replace(saved, extra={**saved.extra, "saved": True}), deployment))
    return pairs


def workspace_id(deployment: Deployment) -> str | None:
    """The workspace's ID when the SDK knows it without a request, else None."""
    found = getattr(deployment.workspace.client.config, "workspace_id", None)
    return str(found) if found else None


def same_workspace(planned: str, now: str) -> bool:
    """Whether two workspace labels (a URL, or the local emulator's) name the same workspace."""
    return planned.strip().rstrip("/").lower() == now.strip().rstrip("/").lower()
