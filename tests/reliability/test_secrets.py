"""A token never appears in anything the CLI prints or writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import pack_yaml


def _everything_written(tmp_path: Path) -> str:
    texts = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".db":
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_token_is_never_printed_logged_or_saved(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    assert "0123456789abcdef" in TOKEN  # recognisable
    pack = write_pack(tmp_path, pack_yaml(3))
    outputs = [
        cli("plan", str(pack)),
        cli("plan", str(pack), "--output", "json", "--out", str(tmp_path / "plan.json")),
        cli("plan", str(pack), "--output", "markdown"),
        cli("--debug", "apply", str(pack), "--auto-approve"),
        cli("apply", str(pack), "--auto-approve", "--output", "json"),
        cli("--debug", "run", str(pack), "--wait"),
        cli("status", str(pack), "--output", "json"),
        cli("history", str(pack), "p000"),
        cli("pause", str(pack)),
        cli("export", "--out", str(tmp_path / "exported.yaml")),
        cli("doctor", str(pack), "--output", "json"),
        cli("backfill", str(pack), "p001", "--from", "2026-01-01", "--to", "2026-01-03"),
        cli("destroy", str(pack), "--auto-approve"),
        cli("plan", str(pack), "--host", "http://127.0.0.1:9"),
    ]
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN + "-wrong")
    outputs.append(cli("plan", str(pack)))
    assert outputs[-1].code == 1 and "Traceback" not in outputs[-1].output
    written = "\n".join(o.output for o in outputs) + _everything_written(tmp_path)
    assert TOKEN not in written
    assert "0123456789abcdef" not in written


SHARING_PACK = """
metadata: {name: sharing}
recipient:
  - name: analytics
    type: D2D
    recipient_databricks_org: aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013
  - name: partner
    type: D2O
    recipient: exchange@partner.example
    token_expiry: 30
share:
  - name: sales_share
    share_assets: [main.sales.daily]
    recipients: [analytics, partner]
"""
SECRETS = Path(".sharepack") / "secrets"


def _debug_run(workspace_env: Any, cwd: Path, *args: str) -> str:
    """`sharepack --debug ...` in its own process: in-process, pytest's log handlers would catch
    the SDK's debug lines before any stream does, and the test would prove nothing."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABRICKS_HOST": workspace_env.url, "DATABRICKS_TOKEN": TOKEN}
    sharepack = Path(sys.executable).parent / "sharepack"
    done = subprocess.run(
        [str(sharepack), "--debug", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _links(client: Any) -> set[str]:
    return {t.activation_url for t in client.recipients.get("partner").tokens or [] if t.activation_url}


def test_activation_links_are_never_printed_logged_exported_or_saved(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, caplog: Any
) -> None:
    pack = write_pack(tmp_path, SHARING_PACK)
    # Created with --debug: the create answer carries the link, and the SDK logs answers.
    debug_logs = [_debug_run(workspace_env, tmp_path, "apply", str(pack), "--auto-approve")]
    created = _links(client)
    assert len(created) == 1
    outputs = [
        cli("plan", str(pack)),
        cli("plan", str(pack), "--output", "json", "--out", str(tmp_path / "plan.json")),
        cli("plan", str(pack), "--output", "markdown"),
        cli("--debug", "apply", str(pack), "--auto-approve"),
        cli("apply", str(pack), "--auto-approve", "--output", "json"),
        cli("status", str(pack)),
        cli("status", str(pack), "--output", "json"),
        cli("export", "--out", str(tmp_path / "exported.yaml")),
        cli("export", "--output", "json"),
        cli("--debug", "rotate-token", str(pack), "partner", "--expire-existing-in", "0"),
    ]
    debug_logs.append(_debug_run(workspace_env, tmp_path, "rotate-token", str(pack), "partner"))
    # Every read of the recipient (plan, status) answers with the unactivated link too.
    debug_logs.append(_debug_run(workspace_env, tmp_path, "status", str(pack), "--output", "json"))
    debug_logs.append(_debug_run(workspace_env, tmp_path, "plan", str(pack)))
    links = created | _links(client)
    assert len(links) >= 2  # the created link and the rotated ones
    outputs.append(cli("destroy", str(pack), "--auto-approve"))
    assert all(o.code == 0 for o in outputs), [o.output for o in outputs if o.code]

    # The SDK did log the answers that carry a link, redacted: the redaction is what hid it.
    assert '"activation_url": "**REDACTED**"' in "\n".join(debug_logs)
    secret_files = {p.resolve() for p in (tmp_path / SECRETS).glob("*")}
    written = "\n".join(
        p.read_text(errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and p.suffix != ".db" and p.resolve() not in secret_files
    )
    everything = "\n".join([*(o.output for o in outputs), *debug_logs, caplog.text, written])
    for link in links:
        assert link not in everything
        assert link.rsplit("?", 1)[-1] not in everything  # not even the token part of it
    # Said once, where only the user can read it: the newest link of each create or rotation.
    said = "\n".join(p.read_text() for p in secret_files)
    assert any(link in said for link in links)


def test_a_token_with_a_trailing_newline_is_refused_without_being_shown(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    pack = write_pack(tmp_path, pack_yaml(2))
    for padded in (TOKEN + "\n", TOKEN + " ", " " + TOKEN, TOKEN + "\r\n"):
        monkeypatch.setenv("DATABRICKS_TOKEN", padded)
        outputs = [
            cli("plan", str(pack)),
            cli("apply", str(pack), "--auto-approve"),
            cli("status", str(pack)),
            cli("export", "--out", str(tmp_path / "exported.yaml")),
        ]
        for result in outputs:
            assert result.code != 0
            assert "newline or space" in result.stderr, result.output
        doctor = cli("doctor", str(pack))
        assert doctor.code != 0 and "newline or space" in doctor.output
        written = "\n".join(o.output for o in [*outputs, doctor]) + _everything_written(tmp_path)
        assert "Traceback" not in written
        assert "0123456789abcdef" not in written
    assert list(workspace_env.request_log()) == []  # refused before anything was sent


def test_credentials_in_a_host_url_are_refused_never_shown_nor_saved(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    pack = write_pack(tmp_path, pack_yaml(2))
    address = workspace_env.url.split("://", 1)[1]
    with_password = f"http://alice:hunter2secret@{address}"
    flagged = cli("plan", str(pack), "--host", with_password, "--out", str(tmp_path / "plan.json"))
    monkeypatch.setenv("DATABRICKS_HOST", with_password)
    outputs = [
        flagged,
        cli("plan", str(pack)),
        cli("apply", str(pack), "--auto-approve"),
        cli("doctor", str(pack)),
    ]
    for result in outputs:
        assert result.code != 0
        assert "carries a user name or password" in result.output, result.output
    written = "\n".join(o.output for o in outputs) + _everything_written(tmp_path)
    assert "hunter2secret" not in written and "Traceback" not in written
    assert not (tmp_path / "plan.json").exists()
    assert [r for r in workspace_env.request_log() if r.method != "GET"] == []
