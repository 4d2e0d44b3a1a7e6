"""Names that could escape a folder or pass for another name are refused at validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PIPELINE = "pipelines:\n  - name_prefix: {name}\n    source_asset: main.s.t\n"


@pytest.mark.parametrize("name", ["a/b", "../../Users/alice/x", ".hidden", "two words"])
def test_a_pack_name_that_is_not_a_plain_file_name_fails_validate(
    name: str, cli: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, f"metadata: {{name: '{name}'}}\n" + PIPELINE.format(name="p"))
    result = cli("validate", str(pack))
    assert result.code != 0
    assert "1:18: metadata.name: pack name" in result.output and "may only have letters" in result.output


def test_a_bad_pack_name_never_reaches_a_lock_path() -> None:
    from sharepack.errors import UsageError
    from sharepack.flow.lock import lock_path

    with pytest.raises(UsageError):
        lock_path("../../Users/alice/x")


@pytest.mark.parametrize(
    ("escaped", "code"),
    [
        ("\\u202Edaily", "U+202E"),  # right-to-left override: the plan would show it reversed
        ("sa\\u200Bles", "U+200B"),  # zero-width space: looks exactly like `sales`
        ("sa\\Nles", "U+0085"),  # NEL, a line break to some terminals
    ],
)
def test_names_with_invisible_or_bidi_characters_fail_validate(
    escaped: str, code: str, cli: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PIPELINE.format(name=f'"{escaped}"'))
    result = cli("validate", str(pack))
    assert result.code != 0
    assert "2:18: pipelines[0].name_prefix" in result.output and code in result.output


@pytest.mark.parametrize(
    "name",
    ["../../../../Users/victim@example.com/etl", "etl/daily", "etl..daily", "etl\\\\daily", "etl\\x01"],
)
def test_a_pipeline_name_that_could_lead_its_code_out_of_the_pack_folder_fails_validate(
    name: str, cli: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PIPELINE.format(name=f'"{name}"'))
    result = cli("validate", str(pack))
    assert result.code != 0
    assert "2:18: pipelines[0].name_prefix" in result.output, result.output


def test_a_target_prefix_with_a_slash_fails_validate_too(cli: Any, tmp_path: Path) -> None:
    text = PIPELINE.format(name="etl") + "targets:\n  dev:\n    name_prefix: '../x/'\n"
    pack = write_pack(tmp_path, text)
    result = cli("validate", str(pack), "--target", "dev")
    assert result.code != 0
    assert "contains a slash" in result.output, result.output
