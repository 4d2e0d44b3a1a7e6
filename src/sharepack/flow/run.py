"""The plan → confirm → apply flow shared by `plan`, `apply` and `destroy`, for one or many packs."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sharepack.apply.executor import ApplyReport, Outcome, apply_plan
from sharepack.changes.model import REFUSED, Action, Change, Plan, ResourceType
from sharepack.errors import SharepackError, UsageError
from sharepack.flow.deployment import Deployment, Selection, open_deployment
from sharepack.flow.strategy import strategy_plan
from sharepack.plan.destroy import build_destroy_plan
from sharepack.plan.freshness import check_fresh
from sharepack.terminal import console

PlanPair = tuple[Plan, Deployment]
Executed = tuple[Plan, ApplyReport]  # the plan as executed (re-planned under the lock, if so)


@dataclass(frozen=True)
class DeployOptions:
    target: str | None = None
    host: str | None = None
    profile: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    prune: bool = False
    trust_digest: bool = False  # --trust-digest: skip fetching pipelines a schedule job's digest vouches for
    parallelism: int = 8
    allow_past_one_time: bool = False  # destroy: a one-time job that already ran is still ours to delete
    delete_adopted: bool = False  # destroy: delete what the pack adopted instead of releasing it

    @property
    def selection(self) -> Selection:
        return Selection(
            target=self.target,
            host=self.host,
            profile=self.profile,
            variables=self.variables,
            allow_past_one_time=self.allow_past_one_time,
        )


def _open_all(files: Sequence[Path], options: DeployOptions) -> list[Deployment]:
    from sharepack.errors import SpecError
    from sharepack.flow.many_packs import conflicts, pack_files

    files = pack_files(files)
    problems = []
    deployments: list[Deployment] = []
    packs = []
    # Validate every file before connecting anywhere: all problems at once, nothing half-done.
    from sharepack.flow.deployment import load, workspace_target

    for path in files:
        try:
            packs.append(load(path, options.selection))
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems=problems)
    names = [p.name for p in packs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(
            f"two files declare the same SharePack name: {', '.join(duplicates)}", hint="set metadata.name"
        )
    problems = conflicts(packs)
    if problems:
        raise SpecError(problems=problems)
    from sharepack.workspace.connect import Workspace, WorkspaceTarget, connect

    # Packs bound to one workspace share one connection (and, for `local`, one emulator).
    connected: dict[WorkspaceTarget, Workspace] = {}
    try:
        for path, pack in zip(files, packs, strict=True):
            target = workspace_target(pack, options.selection)
            if target not in connected:
                connected[target] = connect(target, state_dir=options.selection.state_dir)
            deployments.append(
                open_deployment(
                    path,
                    options.selection,
                    parallelism=options.parallelism,
                    pack=pack,
                    workspace=connected[target],
                )
            )
    except BaseException:
        for workspace in connected.values():
            workspace.close()
        for deployment in deployments:
            deployment.close()
        raise
    return deployments


def make_plans(files: Sequence[Path], options: DeployOptions) -> list[PlanPair]:
    if not files:
        raise UsageError("no SharePack file given", hint="e.g. sharepack plan sharepacks/*.yaml")
    from sharepack.flow.many_packs import shared_listings

    deployments = _open_all(files, options)
    plans = []
    try:
        with shared_listings(deployments, complete=options.prune, trust_digest=options.trust_digest):
            for deployment in deployments:
                # NEW: the usual plan; UPDATE refuses creates; DELETE plans the pack's destruction.
                plan = strategy_plan(
                    deployment, prune=options.prune, select=options.select, trust_digest=options.trust_digest
                )
                plans.append(
                    (replace(plan, extra={**plan.extra, "workspace": _target_record(deployment)}), deployment)
                )
    except BaseException:
        for deployment in deployments:
            deployment.close()
        raise
    return plans


def make_destroy_plans(files: Sequence[Path], options: DeployOptions) -> list[PlanPair]:
    from sharepack.flow.many_packs import shared_listings

    deployments = _open_all(files, options)
    plans = []
    try:
        with shared_listings(deployments, complete=True, trust_digest=False):
            for deployment in deployments:
                actual = deployment.read(complete=True, destroy=True)
                plan = build_destroy_plan(
                    deployment.desired,
                    actual,
                    source=str(deployment.pack.path),
                    host=deployment.workspace.label,
                    delete_adopted=options.delete_adopted,
                )
                plans.append((replace(plan, extra={**plan.extra, "destroy": True}), deployment))
    except BaseException:
        for deployment in deployments:
            deployment.close()
        raise
    return plans


def _target_record(deployment: Deployment) -> dict[str, Any]:
    return {"target": deployment.pack.target.name if deployment.pack.target else None}


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


def execute(
    plans: Sequence[PlanPair],
    *,
    auto_approve: bool,
    dry_run: bool,
    strict: bool,
    quiet: bool,
    json_output: bool,
    parallelism: int,
    force_lock: bool,
) -> int:
    from sharepack.plan.render import summary_lines, text_lines

    try:
        if not json_output and not quiet:
            for plan, _ in plans:
                console.print_lines(text_lines(plan))
            for line in summary_lines([p for p, _ in plans]):
                console.out().print(line, style="bold", markup=False)
        refused = refused_lines(plans)
        if refused and (quiet or json_output):
            # Left-alone resources decide the exit code, so they are said even when quiet.
            for line in refused:
                console.err().print(line, style="yellow", markup=False)
        if not any(p.has_changes for p, _ in plans):
            code = refused_exit(plans, strict)
            if json_output:
                _print_json(plans, [], code)
            elif refused:
                console.err().print(
                    f"Nothing to apply, but {len(refused)} resource(s) are left alone"
                    + (":" if code else ": see above."),
                    style="yellow",
                    markup=False,
                )
                if code:
                    for line in failure_reasons([], plans, strict)[:MAX_REASONS]:
                        console.err().print(f"  {line}", style="red", markup=False)
            elif not quiet:
                console.out().print("No changes. The workspace matches the SharePack.", markup=False)
            return code
        if dry_run:
            if json_output:
                _print_json(plans, [], 0)
            else:
                console.out().print("Dry run: nothing was sent.", markup=False)
            return 0
        _confirm(plans, auto_approve)
        executed = _apply_all(plans, parallelism, quiet, json_output, force_lock, auto_approve)
        reports = [report for _, report in executed]
        # What was left alone is judged on the plans as executed: a re-plan under the deploy lock
        # can leave alone what the first plan would have created (another apply won the race).
        ran = [(p, d) for (p, _), (_, d) in zip(executed, plans, strict=True)]
        code = max([r.exit_code(strict=strict) for r in reports] + [refused_exit(ran, strict)])
        if any(r.interrupted for r in reports):
            code = 130  # whatever else happened, the command did not finish
        if json_output:
            _print_json(plans, reports, code, executed)
        else:
            _print_report(executed, strict, plans)
        return code
    finally:
        for _, deployment in plans:
            deployment.close()


def refused_lines(plans: Sequence[PlanPair]) -> list[str]:
    return [
        f"⚠ {c.resource_type.value} {c.name} left alone: {c.message}"
        for p, _ in plans
        for c in p.changes
        if c.action in REFUSED
    ]


def refused_exit(plans: Sequence[PlanPair], strict: bool) -> int:
    for plan, _ in plans:
        for change in plan.changes:
            # Schedules are non-fatal (seed 000); every other kind left alone fails the run.
            refused = change.action in REFUSED
            if refused and (change.resource_type != ResourceType.JOB or strict):
                return 1
    return 0


def _confirm(plans: Sequence[PlanPair], auto_approve: bool) -> None:
    if auto_approve:
        return
    if not console.interactive():
        from sharepack.flow.suggest import same_command

        raise UsageError(
            "refusing to change the workspace without confirmation",
            hint=f"pass --auto-approve in CI: {same_command(add=['--auto-approve'])}",
        )
    import typer

    destroyed = [d.pack.name for p, d in plans if p.extra.get("destroy")]
    if destroyed:
        _confirm_by_name(destroyed, sum(len(p.changes) for p, _ in plans))
        return
    if not typer.confirm("Apply these changes?", default=False):
        raise SharepackError("cancelled: nothing was changed")
    deletions = [c for p, _ in plans for c in p.changes if c.action == Action.DELETE]
    if deletions and not typer.confirm(
        f"This deletes {len(deletions)} resource(s). Really delete them?", default=False
    ):
        raise SharepackError("cancelled: nothing was changed")


def _confirm_by_name(packs: Sequence[str], count: int) -> None:
    """A destroy is confirmed by typing each pack's name (as terraform asks for `yes`): a `y`
    typed out of habit deletes nothing."""
    import typer

    for name in dict.fromkeys(packs):
        typed = typer.prompt(
            f"This deletes {count} resource(s) of pack {name}. Type the pack's name to confirm",
            default="",
            show_default=False,
        )
        if typed.strip() != name:
            raise SharepackError(
                f"cancelled: nothing was deleted ({typed.strip()!r} is not the pack's name, {name!r})"
                if typed.strip()
                else "cancelled: nothing was deleted"
            )


def _apply_all(
    plans: Sequence[PlanPair],
    parallelism: int,
    quiet: bool,
    json_output: bool,
    force_lock: bool,
    auto_approve: bool,
) -> list[Executed]:
    """Packs bound for different workspaces are applied at once; packs sharing a workspace go one
    after another, so they do not compete for its rate limits."""
    groups: dict[str, list[int]] = {}
    for index, (_, deployment) in enumerate(plans):
        groups.setdefault(deployment.workspace.host, []).append(index)
    if len(groups) == 1:
        done: list[Executed] = []
        for plan, deployment in plans:
            if done and done[-1][1].interrupted:
                # Ctrl-C stops here: the packs after it are not started at all.
                done.append((plan, ApplyReport(interrupted=True)))
                continue
            done.append(
                _apply_one(
                    plan,
                    deployment,
                    parallelism,
                    quiet,
                    json_output,
                    force_lock,
                    auto_approve=auto_approve,
                    after=[p.pack for p, _ in done],
                )
            )
        return done
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    reports: dict[int, Executed] = {}

    def apply_group(indexes: list[int]) -> None:
        for index in indexes:
            if stop.is_set():
                return
            plan, deployment = plans[index]
            # One live progress bar per terminal: with several at once, the lines alone report.
            reports[index] = _apply_one(
                plan,
                deployment,
                parallelism,
                quiet,
                json_output,
                force_lock,
                stop=stop,
                bar=False,
                auto_approve=auto_approve,
            )

    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = [pool.submit(apply_group, indexes) for indexes in groups.values()]
        try:
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            stop.set()
            for future in futures:
                future.exception()
    if stop.is_set():
        # A pack whose turn never came: nothing of it was sent.
        for index, (plan, _) in enumerate(plans):
            reports.setdefault(index, (plan, ApplyReport(interrupted=True)))
    return [reports[i] for i in sorted(reports)]


def _apply_one(
    plan: Plan,
    deployment: Deployment,
    parallelism: int,
    quiet: bool,
    json_output: bool,
    force_lock: bool,
    *,
    stop: threading.Event | None = None,
    bar: bool = True,
    auto_approve: bool = False,
    after: Sequence[str] = (),
) -> Executed:
    """The plan executed (re-planned if the workspace moved under the lock) and what came of it."""
    from sharepack.flow.lock import deploy_lock
    from sharepack.terminal.progress import OutcomePrinter

    with deploy_lock(deployment.workspace.client, deployment.pack.name, force=force_lock):
        plan = _still_fresh(plan, deployment, replan=auto_approve, quiet=quiet or json_output, after=after)
        printer = OutcomePrinter(
            total=sum(1 for c in plan.changes if c.is_mutating), quiet=quiet or json_output, bar=bar
        )
        with printer:
            report = apply_plan(
                plan, deployment.writer(), parallelism=parallelism, on_outcome=printer.outcome, stop=stop
            )
        return plan, report


def _still_fresh(
    plan: Plan, deployment: Deployment, *, replan: bool, quiet: bool, after: Sequence[str] = ()
) -> Plan:
    """The plan to execute now that the lock is held.

    The plan was read before the lock was taken, so another apply may have changed the workspace
    in between (two CI jobs merging at once): executing the old plan would create its resources
    a second time. Read again; if anything moved, re-plan when the user approved "make it match"
    (--auto-approve on a SharePack), otherwise stop. A saved plan or a destroy is never re-planned:
    what was approved is exactly what may run."""
    from sharepack.flow.suggest import same_command

    fixed = bool(plan.extra.get("destroy") or plan.extra.get("saved"))
    complete = plan.prune or bool(plan.extra.get("destroy"))
    # This read looks for another apply that ran in between: it shows in the lists (IDs, job
    # settings), and an apply that changed a pipeline rewrote the digest on its schedule job too.
    # So the digest may vouch here, sparing a second settings read of every pipeline.
    actual = deployment.read(complete=complete, trust_digest=True)
    moved = check_fresh(plan, actual)
    if not moved:
        return plan
    # Packs applied before this one in the same run write to the same workspace: what they did
    # is no concurrent writer, and is said as what it is.
    cause = (
        f"the packs applied before it in this run ({', '.join(after)}) changed what its plan read"
        if after
        else "the workspace changed while waiting for the deploy lock"
    )
    if fixed or not replan:
        why = f"after {', '.join(after)} in this run" if after else "(another apply?)"
        raise SharepackError(
            f"the workspace changed after the plan was made {why}: {'; '.join(moved[:3])}",
            hint=f"plan against what is there now: {same_command()}",
        )
    from sharepack.plan.render import summary_line

    # The new plan decides what is written: read exactly again, so no hand edit is hidden.
    fresh = strategy_plan(
        deployment, prune=plan.prune, select=plan.selection, actual=deployment.read(complete=complete)
    )
    from sharepack.plan import access_policy

    # The new plan may create access the approved one did not: the same policy judges it.
    given = plan.extra.get("policy")
    broken = access_policy.plan_violations([fresh], Path(given) if given else None)
    if broken:
        raise access_policy.refusal(broken)
    if not quiet:
        console.err().print(
            f"⚠ {cause} ({len(moved)} resource(s)); re-planned: {summary_line([fresh])}",
            style="yellow",
            markup=False,
        )
    # What the new plan leaves alone is said here, where "see above" points, even when quiet.
    for line in refused_lines([(fresh, deployment)]):
        console.err().print(line, style="yellow", markup=False)
    return replace(fresh, extra={**fresh.extra, "replanned": cause})


def _print_report(executed: Sequence[Executed], strict: bool, plans: Sequence[PlanPair]) -> None:
    from sharepack.terminal.progress import summary_table

    reports = [report for _, report in executed]
    if any(r.interrupted for r in reports):
        _print_interrupted(executed, plans)
        return
    destroy = any(p.extra.get("destroy") for p, _ in executed)
    title = "Destroyed" if destroy else "Applied"
    left = [c for p, _ in executed if p.extra.get("replanned") for c in p.changes if c.action in REFUSED]
    if left:
        title = "Re-planned under the deploy lock: applied in part"
    console.out().print(summary_table(reports, title=title))
    if left:
        console.err().print(
            f"✗ {len(left)} resource(s) left alone after re-planning ({left[0].message}): "
            "what the first plan would have done there was not done.",
            style="red",
            markup=False,
        )
    schedule_failures = [o for r in reports for o in r.schedule_failures]
    pipeline_failures = [o for r in reports for o in r.pipeline_failures]
    if pipeline_failures:
        from sharepack.terminal.progress import failure_line

        console.err().print(failure_line(reports), style="red", markup=False)
    elif schedule_failures and not strict:
        console.err().print(
            f"⚠ {len(schedule_failures)} schedule job(s) failed; their pipelines are in place. "
            "Re-run apply after fixing, or use --strict to fail the build.",
            style="yellow",
            markup=False,
        )
    reasons = failure_reasons(reports, plans, strict)
    if reasons:
        # The last lines of a failed apply say why, whatever scrolled past above.
        shown = reasons[:MAX_REASONS]
        more = f" (first {MAX_REASONS} shown)" if len(reasons) > MAX_REASONS else ""
        console.err().print(
            f"✗ {'destroy' if destroy else 'apply'} exits 1: {len(reasons)} resource(s) not done{more}:",
            style="red",
            markup=False,
        )
        for line in shown:
            console.err().print(f"  {line}", style="red", markup=False)


MAX_REASONS = 20


def failure_reasons(reports: Sequence[ApplyReport], plans: Sequence[PlanPair], strict: bool) -> list[str]:
    """One line per resource that makes the command exit 1: refused at plan time or failed."""
    lines = [
        f"{c.resource_type.value} {c.name}: left alone, {c.message}"
        for p, _ in plans
        for c in p.changes
        if c.action in REFUSED and (c.resource_type != ResourceType.JOB or strict)
    ]
    for report in reports:
        for outcome in report.outcomes:
            if not outcome.ok and (outcome.fatal or strict):
                change = outcome.change
                lines.append(f"{change.resource_type.value} {change.name}: failed, {outcome.error}")
    return lines


def _print_interrupted(executed: Sequence[Executed], plans: Sequence[PlanPair]) -> None:
    """Ctrl-C: a summary that cannot be mistaken for a finished apply, and the command to finish."""
    from sharepack.terminal.progress import interrupted_lines, summary_table

    reports = [report for _, report in executed]
    console.out().print(summary_table(reports, title="Interrupted: written before Ctrl-C"))
    console.print_lines(interrupted_lines(executed))
    console.err().print(
        f"interrupted: not finished. To finish, run: {finish_command(plans)}", style="red", markup=False
    )


def finish_command(plans: Sequence[PlanPair]) -> str:
    """What finishes an interrupted apply. A saved plan cannot be applied again (the workspace
    has moved on since it was made), so it is made anew; otherwise the same command does it."""
    from sharepack.flow.suggest import same_command

    saved = [(p, d) for p, d in plans if p.extra.get("saved")]
    if saved:
        plan, deployment = saved[0]
        return f"{deployment.command('plan', plan.source, '--out', 'plan.json')}, then apply plan.json"
    return same_command()


def not_started(executed: Sequence[Executed]) -> list[Change]:
    """Changes of the executed plans that no write was started for."""
    missing: list[Change] = []
    for plan, report in executed:
        done = {(o.change.resource_type, o.change.name) for o in report.outcomes}
        missing += [c for c in plan.changes if c.is_mutating and (c.resource_type, c.name) not in done]
    return missing


def _print_json(
    plans: Sequence[PlanPair],
    reports: Sequence[ApplyReport],
    code: int,
    executed: Sequence[Executed] = (),
) -> None:
    results = [_outcome_dict(o) for r in reports for o in r.outcomes]
    data: dict[str, Any] = {
        "format_version": 1,
        "plans": [p.to_dict() for p, _ in plans],
        "results": results,
        "exit_code": code,
    }
    if any(r.interrupted for r in reports):
        data["interrupted"] = True
        data["not_started"] = [
            {"action": c.action.value, "resource_type": c.resource_type.value, "name": c.name}
            for c in not_started(executed)
        ]
        data["finish"] = finish_command(plans)
    print(json.dumps(data, indent=2))


def _outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "action": outcome.change.action.value,
        "resource_type": outcome.change.resource_type.value,
        "name": outcome.change.name,
        "id": outcome.id,
        "ok": outcome.ok,
        "error": outcome.error,
    }
