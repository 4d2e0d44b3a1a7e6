"""Fixtures of the deploy tests that reach a second local workspace (a mount's recipient side)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def analytics() -> Iterator[Any]:
    """A client of the recipient's workspace (`local:analytics`), opened after the CLI ran."""
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator
    from sharepack.workspace.connect import LOCAL_STATE_DIR, local_config

    emulators: list[Any] = []

    def open_client() -> WorkspaceClient:
        LOCAL_STATE_DIR.mkdir(exist_ok=True)
        emulator = Emulator(local_config(LOCAL_STATE_DIR, "analytics")).start()
        emulators.append(emulator)
        return WorkspaceClient(host=emulator.url, token=emulator.token, auth_type="pat")

    yield open_client
    for emulator in emulators:
        emulator.stop()
