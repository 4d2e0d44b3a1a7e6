"""Targets and variables: which target applies, what each variable is worth, and `${...}` substitution.

Substitution runs on the loaded data before validation, so `serverless: ${var.serverless}`
validates as a boolean once substituted, and an unknown variable is reported where it is used.
Variable values come from their default, then the chosen target, then `--var NAME=VALUE`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sharepack.errors import SpecProblem, did_you_mean
from sharepack.pack.expansion import MAX_EXPANDED_CHARS, reference_growth
from sharepack.pack.positions import NodePos, PositionIndex, render_path

LOCAL_TARGET = "local"
USER_REFERENCE = "workspace.current_user.short_name"
_REFERENCE = re.compile(r"\$(\$?)\{([^{}]*)\}")


@dataclass(frozen=True)
class ChosenTarget:
    name: str
    declared: bool  # False for the built-in `local` target when the pack does not declare it


def choose_target(
    data: Mapping[str, Any], requested: str | None, index: PositionIndex, file: str
) -> tuple[ChosenTarget | None, list[SpecProblem]]:
    targets = data.get("targets")
    declared = targets if isinstance(targets, dict) else {}
    if requested is not None:
        if requested in declared:
            return ChosenTarget(requested, True), []
        if requested == LOCAL_TARGET:
            return ChosenTarget(LOCAL_TARGET, False), []
        line, col = index.key_position(("targets",)) if declared else (1, 1)
        names = ", ".join([*declared, LOCAL_TARGET])
        hint = did_you_mean(requested, [*declared, LOCAL_TARGET]) or f"targets of this pack: {names}"
        return None, [
            SpecProblem(file, line, col, f"--target {requested}: the pack has no such target", hint)
        ]
    defaults = [
        name for name, body in declared.items() if isinstance(body, dict) and _true(body.get("default"))
    ]
    if len(defaults) > 1:
        line, col = index.key_position(("targets", defaults[1], "default"))
        message = f"targets.{defaults[1]}: only one target may be the default (so is {defaults[0]!r})"
        return None, [SpecProblem(file, line, col, message)]
    return (ChosenTarget(defaults[0], True), []) if defaults else (None, [])


def _true(value: Any) -> bool:
    # As pydantic reads a boolean, so that `default: "true"` means the same here as in the model.
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"))


def variable_values(
    data: Mapping[str, Any],
    target: ChosenTarget | None,
    overrides: Mapping[str, str],
    user: str,
    index: PositionIndex,
    file: str,
) -> tuple[dict[str, str | None], list[SpecProblem]]:
    """Each declared variable's value (None: declared without one), and problems with overrides."""
    problems: list[SpecProblem] = []
    declared = data.get("variables")
    declared = declared if isinstance(declared, dict) else {}
    values: dict[str, str | None] = {}
    for name, body in declared.items():
        value = body.get("default") if isinstance(body, dict) else body
        values[name] = _text(value)
    targets = data.get("targets")
    for target_name, body in targets.items() if isinstance(targets, dict) else ():
        given = body.get("variables") if isinstance(body, dict) else None
        if not isinstance(given, dict):
            continue
        path = ("targets", target_name, "variables")
        chosen = target is not None and target.declared and target.name == target_name
        for name, value in given.items():
            if name not in declared:
                line, col = index.key_position((*path, name))
                hint = did_you_mean(name, declared) or "declare it under `variables:` first"
                problems.append(
                    SpecProblem(file, line, col, f"{render_path(path)}: unknown variable {name!r}", hint)
                )
            elif chosen:
                values[name] = _text(value)
    for name, value in overrides.items():
        if name not in declared:
            line, col = index.key_position(("variables",)) if declared else (1, 1)
            hint = did_you_mean(name, declared) or "declare it under `variables:` in the pack"
            problems.append(
                SpecProblem(file, line, col, f"--var {name}: the pack has no such variable", hint)
            )
        else:
            values[name] = value
    # A value may use ${workspace.current_user.short_name}, not other variables.
    for name, value in values.items():
        if value is not None and "$" in value:
            errors: list[tuple[str, str | None]] = []
            values[name] = substitute(value, None, user, errors)
            for error, problem_hint in errors:
                line, col = index.position(("variables", name))
                problems.append(SpecProblem(file, line, col, f"variables.{name}: {error}", problem_hint))
    return values, problems


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def substitute(
    text: str, values: Mapping[str, str | None] | None, user: str, errors: list[tuple[str, str | None]]
) -> str:
    """`text` with each ${...} replaced; (message, hint) pairs go to `errors`. `$${x}` stays `${x}`.

    `values` is None inside the value of a variable, where other variables cannot be used.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        reference = match.group(2).strip()
        if reference == USER_REFERENCE:
            return user
        if reference.startswith("var."):
            name = reference[4:]
            if values is None:
                errors.append((f"${{var.{name}}}: a variable's value cannot use other variables", None))
                return match.group(0)
            if name not in values:
                hint = did_you_mean(name, values) or (
                    "declare it under `variables:`" if values else "the pack declares no `variables:`"
                )
                errors.append((f"unknown variable ${{var.{name}}}", hint))
                return match.group(0)
            value = values[name]
            if value is None:
                errors.append(
                    (f"variable {name!r} has no value", f"give it a default, or pass --var {name}=VALUE")
                )
                return match.group(0)
            return value
        errors.append((f"unknown reference ${{{reference}}}", f"use ${{var.NAME}} or ${{{USER_REFERENCE}}}"))
        return match.group(0)

    return _REFERENCE.sub(replace, text) if "${" in text else text


def interpolate(
    data: dict[str, Any], values: Mapping[str, str | None], user: str, index: PositionIndex, file: str
) -> list[SpecProblem]:
    """Substitute every string value in place (keys and variable declarations are left as written)."""
    problems: list[SpecProblem] = []
    seen: set[int] = set()  # containers shared through YAML aliases are visited once
    grown = [0]  # characters the substitutions have added so far, against MAX_EXPANDED_CHARS

    def visit(container: Any, pos: NodePos | None, path: tuple[str | int, ...]) -> None:
        if id(container) in seen or grown[0] > MAX_EXPANDED_CHARS:
            return
        seen.add(id(container))
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in items:
            if path == () and key == "variables":
                continue
            if len(path) == 2 and path[0] == "targets" and key == "variables":
                continue
            child = pos.child(key) if pos is not None else None
            if isinstance(value, str):
                if "${" in value:
                    grown[0] += reference_growth(value, values, user, USER_REFERENCE)
                    if grown[0] > MAX_EXPANDED_CHARS:
                        line, col = child.mark if child else index.position((*path, key))
                        problems.append(_too_big(file, line, col, render_path((*path, key))))
                        return
                    errors: list[tuple[str, str | None]] = []
                    container[key] = substitute(value, values, user, errors)
                    for error, hint in errors:
                        line, col = child.mark if child else index.position((*path, key))
                        where = render_path((*path, key))
                        problems.append(SpecProblem(file, line, col, f"{where}: {error}", hint))
            elif isinstance(value, dict | list):
                visit(value, child, (*path, key))

    visit(data, index.root, ())
    return problems


def _too_big(file: str, line: int, col: int, where: str) -> SpecProblem:
    return SpecProblem(
        file,
        line,
        col,
        f"{where}: variables would make the pack larger than {MAX_EXPANDED_CHARS:,} characters; "
        "refusing to expand it",
        "use big values fewer times, or shorten them",
    )
