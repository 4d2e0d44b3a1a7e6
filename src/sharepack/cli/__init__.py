"""Command-line entry point. Each command lives in a module of this package named for what it does."""

from __future__ import annotations

import sys

from sharepack.cli.app import app
from sharepack.errors import Interrupted, SharepackError, SpecError

COMMAND_MODULES = (
    "spec_cmds",
    "convert_cmds",
    "deploy_cmds",
    "cron_cmds",
    "calendar_cmds",
    "emulator_cmds",
    "status_cmds",
    "pause_cmds",
    "history_cmds",
    "run_cmds",
    "backfill_cmds",
    "export_cmds",
    "doctor_cmds",
    "rotate_cmds",
    "render_cmds",
    "access_cmds",
    "init_cmds",
)


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`; each module stays small.
    import importlib

    for module in COMMAND_MODULES:
        try:
            importlib.import_module(f"sharepack.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sharepack.cli.{module}":
                raise


def main(argv: list[str] | None = None) -> None:
    """Run one command; every error becomes a message and an exit code here (README: Exit codes)."""
    _register_commands()
    given = sys.argv[1:] if argv is None else argv
    from sharepack.flow.suggest import record_argv

    record_argv(given)
    args = _debug_first(given)
    code, failed = _run(args, debug="--debug" in args)
    if failed and code == 2 and "--detailed-exitcode" in args:
        # Under --detailed-exitcode 2 means "there are changes"; an error (a missing file, a bad
        # flag) must never say that: terraform's convention, 1 for any error.
        code = 1
    if code:
        sys.exit(code)


def _debug_first(args: list[str]) -> list[str]:
    """`--debug` is the program's option; accept it after the command too by moving it first."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    rest = [a for i, a in enumerate(args) if not (a == "--debug" and i < end)]
    return ["--debug", *rest]


def _run(args: list[str], *, debug: bool) -> tuple[int, bool]:
    """The exit code, and whether it comes from an error (not from the command's own result)."""
    try:
        result = app(args=args, standalone_mode=False)
    except SpecError as exc:
        from sharepack.pack import located

        # Whichever stage found them (loader, plan-time checks), a workbook's problems are at cells.
        print("\n".join(str(located(p)) for p in exc.problems), file=sys.stderr)
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code, True
    except Interrupted as exc:
        # One line, so a script's log says plainly that the command did not finish.
        print(f"interrupted: {exc.message}" if exc.message else "interrupted", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return exc.exit_code, True
    except SharepackError as exc:
        if debug:
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code, True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130, True
    except Exception as exc:
        if _is_click_exception(exc):
            return _click_error(exc), True
        if not debug and isinstance(exc, TimeoutError) and _is_api_error(exc.__cause__ or exc):
            # The SDK's retry budget ran out: the workspace kept failing (a 503 outage, say).
            last = str(exc.__cause__ or "").split(". Config:", 1)[0].strip()
            print(f"error: the workspace kept failing, gave up ({exc}): {last}", file=sys.stderr)
            print(
                "hint: the workspace or the network is unavailable; try again later "
                "(SHAREPACK_RETRY_BUDGET_S sets how long to keep retrying)",
                file=sys.stderr,
            )
            return 1, True
        if not debug and isinstance(exc, OSError) and not _is_api_error(exc):
            # A file the user named: an --out into a missing folder, a directory, no permission.
            where = f": {exc.filename}" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 1, True
        if debug or not _is_api_error(exc):
            raise
        message, hint = _describe_api_error(exc)
        print(f"error: {message}", file=sys.stderr)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return 1, True
    # Without standalone mode typer returns the code of a `typer.Exit` (or None: success).
    return (result if isinstance(result, int) else 0), False


def _is_click_exception(exc: BaseException) -> bool:
    # Bad flags, a missing argument, an EOF at a prompt. typer vendors click in newer releases
    # and uses click itself in older ones, so the classes are recognised by name.
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ClickException", "Abort"})


def _click_error(exc: Exception) -> int:
    show = getattr(exc, "show", None)
    if callable(show):
        show()
    else:
        print("Aborted.", file=sys.stderr)
    return int(getattr(exc, "exit_code", 1))


def _is_api_error(exc: BaseException) -> bool:
    """Errors from the SDK or the HTTP stack beneath it: the workspace's answer, not a bug."""
    module = type(exc).__module__
    return module.startswith(("databricks.sdk", "requests", "urllib3"))


def _describe_api_error(exc: BaseException) -> tuple[str, str | None]:
    from sharepack.flow.suggest import same_command

    # The SDK appends "Config: host=..., token=***" to auth errors; the token is masked, but the
    # tail is noise for a person.
    text = str(exc).split(". Config:", 1)[0].strip() or type(exc).__name__
    name = type(exc).__name__
    if name in ("PermissionDenied", "Unauthenticated"):
        return (
            f"the workspace refused the credentials: {text}",
            "check DATABRICKS_TOKEN (or the profile) and that it belongs to this workspace",
        )
    return (
        f"the workspace answered with an error ({name}): {text}",
        f"see the requests: {same_command(add=['--debug'], fallback='re-run with --debug')}",
    )
