"""Command-line entry point. Each command lives in a module of this package named for what it does."""

from __future__ import annotations

import os
import sys

from sharepack.cli.app import app
from sharepack.errors import SharepackError, SpecError


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`; each module stays small.
    import importlib

    for module in ("spec_cmds", "deploy_cmds", "cron_cmds", "emulator_cmds", "ops_cmds"):
        try:
            importlib.import_module(f"sharepack.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sharepack.cli.{module}":
                raise


def main(argv: list[str] | None = None) -> None:
    _register_commands()
    try:
        app(args=argv, standalone_mode=True)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except SharepackError as exc:
        if os.environ.get("SHAREPACK_DEBUG") == "1":
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted: nothing more was sent; run the same command again to finish.", file=sys.stderr)
        sys.exit(130)
