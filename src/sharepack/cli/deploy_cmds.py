"""plan, apply and destroy: the commands that change a workspace to match a SharePack."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import (
    Files,
    Host,
    Output,
    OutputOpt,
    Parallelism,
    PlanOutput,
    Profile,
    Select,
    Target,
    Vars,
    parse_vars,
)
from sharepack.errors import UsageError
from sharepack.terminal import console

TrustDigest = Annotated[
    bool,
    typer.Option(
        "--trust-digest",
        help="Faster: skip reading the settings of pipelines whose schedule job records they were "
        "applied unchanged. Changes made to those pipelines by hand are then not seen.",
    ),
]
PolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        metavar="FILE",
        help="Access policy to check the plan's access changes against "
        "(default: sharepack-policy.yaml beside the pack, when there is one).",
    ),
]
# Comparing every pipeline's settings became the default; the flag stays so scripts keep working.
Refresh = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="No longer needed: every pipeline's settings are compared by default. Accepted for old scripts.",
    ),
]


def _trust_digest(refresh: bool, trust_digest: bool) -> bool:
    if refresh and trust_digest:
        raise UsageError(
            "--refresh and --trust-digest contradict each other",
            hint="drop --refresh: comparing every pipeline's settings is the default",
        )
    return trust_digest


@app.command()
def plan(
    files: Files,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: Annotated[
        PlanOutput,
        typer.Option(
            "--output", "-o", metavar="text|json|markdown", help="text, json or markdown (for a PR comment)."
        ),
    ] = PlanOutput.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Save the plan as JSON, for `sharepack apply PLAN.json`."),
    ] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0: no changes, 2: changes, 1: error.")
    ] = False,
    select: Select = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also plan deleting what this pack owns but no longer declares.")
    ] = False,
    refresh: Refresh = False,
    trust_digest: TrustDigest = False,
    parallelism: Parallelism = 8,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show unchanged resources too.")] = False,
    policy: PolicyOpt = None,
) -> None:
    """Show what `apply` would change, sending no mutating request."""
    from sharepack.flow.plans import DeployOptions, make_plans
    from sharepack.flow.saved import check_plan_out, save_plans
    from sharepack.plan.render import plans_to_json, summary_lines, text_lines, to_markdown

    if out is not None:
        check_plan_out(out, files)  # before connecting: nothing is read for a plan that cannot be saved

    options = DeployOptions(
        target=target,
        host=host,
        profile=profile,
        variables=parse_vars(var),
        select=tuple(select or ()),
        prune=prune,
        trust_digest=_trust_digest(refresh, trust_digest),
        parallelism=parallelism,
    )
    plans = make_plans(files, options)
    if out is not None:
        save_plans(plans, out)
    from sharepack.plan import access_policy

    broken = access_policy.plan_violations([p for p, _ in plans], policy)
    if output == PlanOutput.json:
        typer.echo(plans_to_json([p for p, _ in plans]))
    elif output == PlanOutput.markdown:
        markdown = to_markdown([p for p, _ in plans])
        if broken:  # the pull-request comment says why the check failed
            markdown += "\n".join(access_policy.markdown_lines(broken)) + "\n"
        typer.echo(markdown, nl=False)
    else:
        for plan_value, _ in plans:
            console.print_lines(text_lines(plan_value, verbose=verbose))
        for line in summary_lines([p for p, _ in plans]):
            console.out().print(line, style="bold", markup=False)
    from sharepack.flow.confirm import refused_exit, refused_lines

    if broken:
        raise access_policy.refusal(broken)
    if refused_lines(plans):
        console.err().print(
            "⚠ some resources are left alone: see the messages above", style="yellow", markup=False
        )
    if refused_exit(plans, strict=False):
        # As `apply` would: a pipeline that cannot be resolved fails the build, at plan time.
        raise typer.Exit(1)
    if detailed_exitcode and any(p.has_changes for p, _ in plans):
        raise typer.Exit(2)


@app.command()
def apply(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="SharePack YAML file(s), or one plan saved by `plan --out`.",
            metavar="FILE...",
            show_default=False,
        ),
    ],
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve", "-y", help="Apply without asking.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan and stop: nothing is sent.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit non-zero when a schedule job fails too.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the summary.")] = False,
    output: OutputOpt = Output.text,
    select: Select = None,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete jobs (and pipelines) this pack owns but no longer declares."),
    ] = False,
    refresh: Refresh = False,
    trust_digest: TrustDigest = False,
    parallelism: Parallelism = 8,
    force_lock: Annotated[
        bool, typer.Option("--force-lock", help="Take the deploy lock even if another apply holds it.")
    ] = False,
    ignore_approval: Annotated[
        bool,
        typer.Option(
            "--ignore-approval",
            help="Apply a pack whose metadata.approver_status is not `approved` (refused otherwise).",
        ),
    ] = False,
    policy: PolicyOpt = None,
) -> None:
    """Make the workspace match the SharePack: print the plan, ask, then execute exactly that plan."""
    from sharepack.flow.execute import execute
    from sharepack.flow.plans import DeployOptions, make_plans
    from sharepack.flow.saved import load_saved_plans
    from sharepack.flow.strategy import check_approval

    options = DeployOptions(
        target=target,
        host=host,
        profile=profile,
        variables=parse_vars(var),
        select=tuple(select or ()),
        prune=prune,
        trust_digest=_trust_digest(refresh, trust_digest),
        parallelism=parallelism,
    )
    if len(files) == 1 and files[0].suffix == ".json":
        plans = load_saved_plans(files[0], options)
    else:
        plans = make_plans(files, options)
    try:
        check_approval([p for p, _ in plans], ignore=ignore_approval)
        from sharepack.plan import access_policy

        broken = access_policy.plan_violations([p for p, _ in plans], policy)
        if broken:
            raise access_policy.refusal(broken)
        if policy is not None:  # a plan made again under the deploy lock is judged by it too
            plans = [(replace(p, extra={**p.extra, "policy": str(policy)}), d) for p, d in plans]
    except BaseException:
        for _, deployment in plans:
            deployment.close()
        raise
    code = execute(
        plans,
        auto_approve=auto_approve,
        dry_run=dry_run,
        strict=strict,
        quiet=quiet,
        json_output=output == Output.json,
        parallelism=parallelism,
        force_lock=force_lock,
    )
    raise typer.Exit(code)


@app.command()
def destroy(
    files: Files,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", "-y", help="Delete without asking.")
    ] = False,
    output: OutputOpt = Output.text,
    parallelism: Parallelism = 8,
    force_lock: Annotated[
        bool, typer.Option("--force-lock", help="Take the deploy lock even if another apply holds it.")
    ] = False,
    delete_adopted: Annotated[
        bool,
        typer.Option(
            "--delete-adopted",
            help="Delete what the pack adopted (found, not made) too; by default it is released: "
            "its mark removed, the resource kept.",
        ),
    ] = False,
) -> None:
    """Delete what the pack made — only what carries its mark. What it adopted is released."""
    from sharepack.flow.execute import execute
    from sharepack.flow.plans import DeployOptions, make_destroy_plans

    options = DeployOptions(
        target=target,
        host=host,
        profile=profile,
        variables=parse_vars(var),
        parallelism=parallelism,
        allow_past_one_time=True,
        delete_adopted=delete_adopted,
    )
    plans = make_destroy_plans(files, options)
    code = execute(
        plans,
        auto_approve=auto_approve,
        dry_run=False,
        strict=True,
        quiet=False,
        json_output=output == Output.json,
        parallelism=parallelism,
        force_lock=force_lock,
    )
    raise typer.Exit(code)
