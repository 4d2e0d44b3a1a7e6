"""rotate-token: give a D2O recipient a new token and say its activation link once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Profile, Target, Vars, parse_vars
from sharepack.errors import UsageError
from sharepack.terminal import console


def _grace(text: str) -> int:
    from sharepack.schedule.durations import duration_seconds

    try:
        return duration_seconds(int(text) if text.strip().isdigit() else text)
    except ValueError as exc:
        raise UsageError(f"--expire-existing-in: {exc}", hint="e.g. 0 (at once), 3600, 1h or 1d") from None


@app.command("rotate-token")
def rotate_token(
    file: File,
    recipient: Annotated[str, typer.Argument(help="A D2O recipient the pack declares.", show_default=False)],
    expire_existing_in: Annotated[
        str,
        typer.Option(
            "--expire-existing-in",
            help="How long the current token stays valid: seconds or a duration (30m, 1h, 1d); "
            "0 revokes it at once (a leaked token).",
        ),
    ] = "1h",
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
) -> None:
    """Rotate a D2O recipient's token; the new activation link is shown once (never logged or kept)."""
    from sharepack.flow.deployment import Selection, open_deployment
    from sharepack.ops.rotate import declared_recipient, rotate
    from sharepack.schedule.durations import duration_words
    from sharepack.terminal.secret_notice import say_once

    grace = _grace(expire_existing_in)
    selection = Selection(target=target, host=host, profile=profile, variables=parse_vars(var))
    deployment = open_deployment(file, selection)
    try:
        declared_recipient(deployment, recipient)  # refused before any request
        rotated = rotate(deployment, recipient, grace_s=grace)
    finally:
        deployment.close()
    say_once(
        f"new activation link for recipient {rotated.recipient} (shown once; send it to the recipient): "
        f"{rotated.link}",
        rotated.recipient,
    )
    if grace:
        until = datetime.now(UTC) + timedelta(seconds=grace)
        old = f"the previous token stays valid for {duration_words(grace)} (until {until:%Y-%m-%d %H:%M} UTC)"
    else:
        old = "the previous token no longer works"
    console.err().print(
        f"Rotated the token of recipient {rotated.recipient}; {old}.", style="bold", markup=False
    )
