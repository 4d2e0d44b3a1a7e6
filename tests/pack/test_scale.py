"""A large pack loads with bounded memory, with libyaml or with PyYAML's pure-Python parser."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from sharepack.errors import SpecError
from sharepack.pack import load_pack, yaml_loader

Write = Callable[..., Path]


def big_pack(pipelines: int, per_share: int = 50) -> str:
    parts = ["variables:\n  env: dev\npipeline_defaults:\n  tags: {team: data}\nshare:\n"]
    for s in range(pipelines // per_share):
        parts.append(f"  - name: share_{s}\n    share_assets:\n")
        parts += [f"      - cat.sch_{s}.t_{i}\n" for i in range(per_share)]
        parts.append(
            f"    delta_share: {{ext_catalog_name: 'shared_${{var.env}}', ext_schema_name: s_{s}}}\n"
        )
        parts.append("    pipelines:\n")
        for i in range(per_share):
            parts.append(
                f"      - name_prefix: p_{s}_{i}\n        source_asset: cat.sch_{s}.t_{i}\n"
                f"        schedule: {{cron: '0 0 {i % 24} * * ?', timezone: America/New_York}}\n"
                "        notification: [ops@example.com]\n"
                f"        tags: {{idx: '{i}'}}\n"
            )
    parts.append("jobs:\n  all:\n    pipelines: [" + ", ".join(f"p_0_{i}" for i in range(per_share)) + "]\n")
    parts.append("targets:\n  dev: {mode: development}\n")
    return "".join(parts)


def test_a_thousand_pipeline_pack_loads_within_150_mb(pack_file: Write) -> None:
    path = pack_file(big_pack(1000))
    tracemalloc.start()
    try:
        pack = load_pack(path, target="dev", user="ana")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(pack.pipelines) == 1000
    assert pack.pipelines[-1].name == "dev_ana_p_19_49"
    assert pack.pipelines[-1].catalog == "shared_dev"
    assert peak < 150 * 1024 * 1024


@pytest.fixture
def pure_python_parser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(yaml_loader, "_Loader", yaml.SafeLoader)
    yield


@pytest.mark.usefixtures("pure_python_parser")
def test_the_pure_python_parser_gives_the_same_pack(pack_file: Write) -> None:
    text = big_pack(100)
    pack = load_pack(pack_file(text), target="dev")
    assert len(pack.pipelines) == 100
    assert pack.pipelines[3].location == (60 + 3 * 5, 9)  # after 59 lines of header, 5 lines each


@pytest.mark.usefixtures("pure_python_parser")
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: " + "[" * 10_000 + "]" * 10_000, "nests deeper than"),
        ("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: [" + ", ".join(["*a"] * 20_000) + "]\n", "aliases expand"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: !!python/name:os.system x\n", "is not allowed"),
        ("a:\n\tb: 1\n", "a tab is used for indentation"),
    ],
)
def test_the_pure_python_parser_refuses_hostile_input_too(pack_file: Write, text: str, fragment: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_pack(pack_file(text))
    assert fragment in str(caught.value)
