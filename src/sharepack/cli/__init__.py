"""Command-line entry point. Each command lives in a module of this package named for what it does."""

from __future__ import annotations

import sys

from sharepack.cli.app import app
from sharepack.errors import SharepackError, SpecError

COMMAND_MODULES = (
    "spec_cmds",
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
    _register_commands()
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, standalone_mode=True)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except SharepackError as exc:
        if debug:
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if not debug and isinstance(exc, OSError) and not _is_api_error(exc):
            # A file the user named: an --out into a missing folder, a directory, no permission.
            where = f": {exc.filename}" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
            sys.exit(1)
        if debug or not _is_api_error(exc):
            raise
        message, hint = _describe_api_error(exc)
        print(f"error: {message}", file=sys.stderr)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted: nothing more was sent; run the same command again to finish.", file=sys.stderr)
        sys.exit(130)


def _is_api_error(exc: BaseException) -> bool:
    """Errors from the SDK or the HTTP stack beneath it: the workspace's answer, not a bug."""
    module = type(exc).__module__
    return module.startswith(("databricks.sdk", "requests", "urllib3"))


def _describe_api_error(exc: BaseException) -> tuple[str, str | None]:
    # The SDK appends "Config: host=..., token=***" to auth errors; the token is masked, but the
    # tail is noise for a person.
    text = str(exc).split(". Config:", 1)[0].strip() or type(exc).__name__
    name = type(exc).__name__
    if name in ("PermissionDenied", "Unauthenticated"):
        return (
            f"the workspace refused the credentials: {text}",
            "check DATABRICKS_TOKEN (or the profile) and that it belongs to this workspace",
        )
    return f"the workspace answered with an error ({name}): {text}", "re-run with --debug to see the requests"
