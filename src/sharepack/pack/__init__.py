"""The SharePack language: load a YAML file into a resolved, validated `Pack`, or report every problem.

    pack = load_pack("sharepacks/seed_example.yaml", target="dev", variables={"env": "dev"}, user="ana")

Loading runs in stages, each reporting all it finds: YAML (safe, bounded, duplicate keys refused),
variables and targets, the schema (pydantic models), then checks beyond types. Problems are
`SpecError(problems=[SpecProblem(file, line, col, message, hint)])`, sorted by position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sharepack.errors import SpecError, SpecProblem
from sharepack.pack.checks import Checker
from sharepack.pack.files import read_text
from sharepack.pack.legacy_forms import relax_day_fields, schedules_to_remove, unwrap_nested_schedules
from sharepack.pack.models import Pipeline, Share, SharePack
from sharepack.pack.raw_checks import raw_name_problems
from sharepack.pack.resolve import resolve
from sharepack.pack.resolved import (
    OrchestrationTask,
    Pack,
    PackMetadata,
    ResolvedOrchestration,
    ResolvedPipeline,
    ResolvedPolicy,
    ResolvedTarget,
)
from sharepack.pack.sharing_models import Recipient
from sharepack.pack.validation_errors import validation_problems
from sharepack.pack.variables import LOCAL_TARGET, choose_target, interpolate, variable_values
from sharepack.pack.workbook import ROW_SPAN, cell_of, column_hint, compose_workbook, is_workbook
from sharepack.pack.yaml_loader import Composed, compose

__all__ = [
    "LOCAL_TARGET",
    "OrchestrationTask",
    "Pack",
    "PackMetadata",
    "ResolvedOrchestration",
    "ResolvedPipeline",
    "ResolvedPolicy",
    "ResolvedTarget",
    "SharePack",
    "duplicate_pack_names",
    "load_pack",
    "load_packs",
]


def load_pack(
    path: str | Path,
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    user: str = "user",
    now: datetime | None = None,
    allow_past_one_time: bool = False,
) -> Pack:
    """Load, resolve and validate one SharePack; raises SpecError listing every problem found.

    `allow_past_one_time`: for commands that operate what exists (destroy, status, history...),
    a one-time schedule whose moment has passed is what was deployed, not a mistake."""
    file = str(path)
    if is_workbook(path):
        try:
            pack = _load(
                path, compose_workbook(path, file), target, variables, user, now, allow_past_one_time
            )
        except SpecError as exc:
            raise SpecError(problems=[in_cells(p) for p in exc.problems]) from None
        return replace(pack, notices=tuple(in_cells(n) for n in pack.notices))
    return _load(path, compose(read_text(path), file), target, variables, user, now, allow_past_one_time)


def _load(
    path: str | Path,
    composed: Composed,
    target: str | None,
    variables: Mapping[str, str] | None,
    user: str,
    now: datetime | None,
    allow_past_one_time: bool,
) -> Pack:
    file = str(path)
    problems = list(composed.problems)
    if composed.fatal:
        raise _error(problems)
    data, index = composed.data, composed.index
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        line, col = index.root.mark
        problems.append(
            SpecProblem(
                file,
                line,
                col,
                f"a SharePack is a mapping of keys (share:, targets:, ...), but this document is {kind}",
                "start from sharepacks/minimal.yaml",
            )
        )
        raise _error(problems)
    if not {"share", "pipelines", "recipient"} & data.keys():
        line, col = index.root.mark
        problems.append(
            SpecProblem(
                file,
                line,
                col,
                "the pack declares no `share:` (nor `pipelines:`, nor `recipient:`)",
                "start from sharepacks/minimal.yaml",
            )
        )
    chosen, found = choose_target(data, target, index, file)
    problems += found
    values, found = variable_values(data, chosen, variables or {}, user, index, file)
    problems += found
    problems += interpolate(data, values, user, index, file)
    notices = unwrap_nested_schedules(data, index, file)
    removed_schedules = schedules_to_remove(data, index, file)
    notices += relax_day_fields(data, index, file)
    try:
        spec = SharePack.model_validate(data, context={"allow_past": allow_past_one_time})
    except ValidationError as exc:
        problems += validation_problems(exc, index, file)
        problems += raw_name_problems(data, index, file)
    if problems:
        raise _error(problems)
    resolution = resolve(
        spec, path=Path(path), target=chosen, user=user, index=index, removed_schedules=removed_schedules
    )
    checker = Checker(spec, resolution, index, file, now or datetime.now(UTC))
    problems = checker.run()
    if problems:
        raise _error(problems)
    notices += checker.notices
    return replace(resolution.pack, notices=tuple(notices)) if notices else resolution.pack


def load_packs(
    paths: Iterable[str | Path],
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    user: str = "user",
    now: datetime | None = None,
) -> list[Pack]:
    """Load several packs, reporting the problems of all of them together."""
    packs: list[Pack] = []
    problems: list[SpecProblem] = []
    for path in paths:
        try:
            packs.append(load_pack(path, target=target, variables=variables, user=user, now=now))
        except SpecError as exc:
            problems += exc.problems
    problems += duplicate_pack_names(packs)
    if problems:
        raise SpecError(problems=problems)
    return packs


def duplicate_pack_names(packs: Iterable[Pack]) -> list[SpecProblem]:
    """Two packs with one name would each claim (and could prune) what the other created."""
    problems: list[SpecProblem] = []
    first: dict[str, Pack] = {}
    for pack in packs:
        if pack.name in first:
            problems.append(
                SpecProblem(
                    str(pack.path),
                    1,
                    1,
                    f"pack name {pack.name!r} is also the name of {first[pack.name].path}; "
                    "each pack owns what carries its name, so names must differ",
                    "set a distinct `metadata.name`",
                )
            )
        else:
            first[pack.name] = pack
    return problems


def located(problem: SpecProblem) -> SpecProblem:
    """The problem as users read it: a workbook's at `sheet!cell`, whichever stage found it."""
    if problem.place is None and is_workbook(problem.file):
        return in_cells(problem)
    return problem


def in_cells(problem: SpecProblem) -> SpecProblem:
    """A workbook's problem at `sheet!cell`, its "line N" references as the sheet's rows."""
    if problem.place is not None:
        return problem

    def row(found: re.Match[str]) -> str:
        line = int(found.group(1))
        return f"{cell_of(problem.file, line, 0).split('!')[0]} row {line % ROW_SPAN}"

    message = re.sub(r"\bline (\d+)", row, problem.message)
    place = cell_of(problem.file, problem.line, problem.col)
    hint = problem.hint
    unknown = re.search(r"unknown key '([^']+)'$", message)
    sheet = place.split("!")[0]
    if unknown and sheet in ("pipelines", "share", "recipient"):
        # Suggest a column of that sheet, not a YAML key the sheet spells otherwise.
        models: dict[str, type[BaseModel]] = {"pipelines": Pipeline, "share": Share, "recipient": Recipient}
        model = models[sheet]
        keys = [field.alias or name for name, field in model.model_fields.items()]
        hint = column_hint(sheet, unknown.group(1), keys)
    return replace(problem, message=message, place=place, hint=hint)


def _error(problems: list[SpecProblem]) -> SpecError:
    unique = list(dict.fromkeys(problems))
    return SpecError(problems=sorted(unique, key=lambda p: (p.line, p.col)))
