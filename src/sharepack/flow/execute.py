"""Step 3 of plan → confirm → apply: the approved plans executed, each pack under its deploy lock
and re-checked against the workspace once the lock is held."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sharepack.apply.executor import apply_plan
from sharepack.apply.outcomes import ApplyReport, Executed
from sharepack.changes.model import Plan
from sharepack.errors import SharepackError
from sharepack.flow.confirm import confirm, refused_exit, refused_lines
from sharepack.flow.deployment import Deployment
from sharepack.flow.plans import PlanPair
from sharepack.flow.report import MAX_REASONS, failure_reasons, print_json, print_report
from sharepack.flow.strategy import strategy_plan
from sharepack.plan.freshness import check_fresh
from sharepack.terminal import console


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
                print_json(plans, [], code)
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
                print_json(plans, [], 0)
            else:
                console.out().print("Dry run: nothing was sent.", markup=False)
            return 0
        confirm(plans, auto_approve)
        executed = _apply_all(plans, parallelism, quiet, json_output, force_lock, auto_approve)
        reports = [report for _, report in executed]
        # What was left alone is judged on the plans as executed: a re-plan under the deploy lock
        # can leave alone what the first plan would have created (another apply won the race).
        ran = [(p, d) for (p, _), (_, d) in zip(executed, plans, strict=True)]
        code = max([r.exit_code(strict=strict) for r in reports] + [refused_exit(ran, strict)])
        if any(r.interrupted for r in reports):
            code = 130  # whatever else happened, the command did not finish
        if json_output:
            print_json(plans, reports, code, executed)
        else:
            print_report(executed, strict, plans)
        return code
    finally:
        for _, deployment in plans:
            deployment.close()


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

    def one(
        index: int, after: Sequence[str], stop: threading.Event | None = None, bar: bool = True
    ) -> Executed:
        plan, deployment = plans[index]
        return _apply_one(
            plan,
            deployment,
            parallelism,
            quiet,
            json_output,
            force_lock,
            stop=stop,
            bar=bar,
            auto_approve=auto_approve,
            after=after,
        )

    if len(groups) == 1:
        done: list[Executed] = []
        for index, (plan, _) in enumerate(plans):
            if done and done[-1][1].interrupted:
                # Ctrl-C stops here: the packs after it are not started at all.
                done.append((plan, ApplyReport(interrupted=True)))
                continue
            done.append(one(index, after=[p.pack for p, _ in done]))
        return done
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    reports: dict[int, Executed] = {}

    def apply_group(indexes: list[int]) -> None:
        for position, index in enumerate(indexes):
            if stop.is_set():
                return
            # One live progress bar per terminal: with several at once, the lines alone report.
            before = [plans[i][0].pack for i in indexes[:position]]
            reports[index] = one(index, after=before, stop=stop, bar=False)

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
