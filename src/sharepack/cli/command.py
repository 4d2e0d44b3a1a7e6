"""The class behind every sharepack command: plain help, and Ctrl-C handed to main() as itself.

Help is formatted here, not by typer, because typer's own help shows Python types (`<list[Path]>`,
`<int range>`, `{files}...`) and changes its layout between releases. Each parameter's metavar is
the one declared with it (FILE..., NAME, N, KEY=VALUE); tests/cli/test_help.py keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import typer
from typer.core import TyperCommand

from sharepack.errors import Interrupted

F = TypeVar("F", bound=Callable[..., Any])

DEBUG_HELP = "Log every API request (never headers or tokens) and show tracebacks."


class SharepackCommand(TyperCommand):
    def invoke(self, ctx: Any) -> Any:
        # typer turns Ctrl-C into a bare exit 130 (newer releases) or "Aborted!" and exit 1
        # (older ones), in both cases before main() can say what was interrupted.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None
        except Exception as exc:
            # A prompt (Apply these changes?) turns Ctrl-C into Abort; it is still Ctrl-C.
            if type(exc).__name__ == "Abort" and isinstance(exc.__context__, KeyboardInterrupt):
                raise Interrupted() from None
            raise

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        for param in self.params:
            if param.param_type_name == "argument" and not getattr(param, "hidden", False):
                name = metavar(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)  # with --help
        arguments = [argument_record(p) for p in params if p.param_type_name == "argument"]
        options = [option_record(p) for p in params if p.param_type_name == "option"]
        # --debug belongs to the program, but is accepted after the command too (see main()).
        options.append(("--debug", DEBUG_HELP))
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl([a for a in arguments if a is not None])
        with formatter.section("Options"):
            formatter.write_dl([o for o in options if o is not None])


def metavar(param: Any) -> str:
    """The declared metavar, else the parameter's name in capitals (never a Python type)."""
    declared = getattr(param, "metavar", None)
    if declared:
        return str(declared)
    name = str(param.name or "value").upper()
    return f"{name}..." if param.nargs == -1 else name


def argument_record(param: Any) -> tuple[str, str] | None:
    if getattr(param, "hidden", False):
        return None
    help_text = getattr(param, "help", None) or ""
    return metavar(param), help_text


def option_record(param: Any) -> tuple[str, str] | None:
    if getattr(param, "hidden", False):
        return None
    # Short names first (-t, --target), as click does.
    names = ", ".join(sorted(param.opts, key=lambda opt: opt.startswith("--")))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if not param.is_flag:
        names += f" {metavar(param)}"
    extras = [e for e in (_default_text(param), _range_text(param)) if e]
    if param.required:
        extras.append("required")
    help_text = getattr(param, "help", None) or ""
    if extras:
        help_text = f"{help_text}  [{'; '.join(extras)}]".strip()
    return names, help_text


def _default_text(param: Any) -> str | None:
    default = param.default
    if not getattr(param, "show_default", False) or param.is_flag or callable(default):
        return None
    if default is None or default == "" or isinstance(default, (list, tuple)):
        return None
    value = default.value if isinstance(default, Enum) else default
    return f"default: {value}"


def _range_text(param: Any) -> str | None:
    low = _bound(param, "min")
    high = _bound(param, "max")
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return None


def _bound(param: Any, which: str) -> Any:
    # typer keeps the bound on the parameter in newer releases, on click's IntRange in older ones.
    value = getattr(param, which, None)
    if value is None:
        value = getattr(getattr(param, "type", None), which, None)
    return value


class SharepackTyper(typer.Typer):
    """A Typer whose commands are all SharepackCommand, so a new command cannot forget it."""

    def command(  # the same decorator, with our class as the default
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[F], F]:
        decorator: Callable[[F], F] = super().command(name, cls=cls or SharepackCommand, **kwargs)
        return decorator
