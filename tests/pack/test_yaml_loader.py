"""The YAML loader: plain data only, positions for everything, and hostile input refused cleanly.

Each hostile case must end in a SpecError that names a position — never a traceback, never
unbounded memory. Sizes are bounded by construction; there are no timing asserts.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sharepack.errors import SpecError, UsageError
from sharepack.pack import load_pack, yaml_loader
from sharepack.pack.files import MAX_FILE_BYTES
from sharepack.pack.yaml_loader import MAX_DEPTH, compose, load_yaml

Write = Callable[..., Path]


def only_problem(path: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_yaml(path)
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return f"{problems[0].line}:{problems[0].col}: {problems[0].message}"


def test_positions_point_at_keys_and_values(pack_file: Write) -> None:
    data, index = load_yaml(pack_file("a: 1\nb:\n  - x\n  - {c: d}\n"))
    assert data == {"a": 1, "b": ["x", {"c": "d"}]}
    assert index.position(("b", 1, "c")) == (4, 9)
    assert index.key_position(("b", 1, "c")) == (4, 6)
    assert index.position(("b", 0)) == (3, 5)
    # a path the document lacks is located at its nearest existing ancestor
    assert index.position(("b", 7)) == (3, 3)


def test_columns_count_characters_not_bytes(pack_file: Write) -> None:
    _, index = load_yaml(pack_file('é: "ü"\nx: [ä, ö]\n'))
    assert index.position(("é",)) == (1, 4)
    assert index.position(("x", 1)) == (2, 8)


def test_scalars_follow_yaml_1_2_so_yes_no_on_and_dates_stay_text(pack_file: Write) -> None:
    text = "on: yes\nb: no\nc: 2024-06-01\nd: 0x1F\ne: 1e3\nf: ~\ng: true\nh: 1:30\ni: '5'\n"
    data, _ = load_yaml(pack_file(text))
    assert data == {
        "on": "yes",
        "b": "no",
        "c": "2024-06-01",
        "d": 31,
        "e": 1000.0,
        "f": None,
        "g": True,
        "h": "1:30",
        "i": "5",
    }


def test_keys_are_always_text(pack_file: Write) -> None:
    data, _ = load_yaml(pack_file("1: a\ntrue: b\nnull: c\n"))
    assert data == {"1": "a", "true": "b", "null": "c"}


def test_anchors_aliases_and_merge_keys_work_within_bounds(pack_file: Write) -> None:
    text = "base: &base {x: 1, y: 2}\nuse:\n  <<: *base\n  y: 3\nlist: [*base, *base]\n"
    data, index = load_yaml(pack_file(text))
    assert data["use"] == {"y": 3, "x": 1}
    assert data["list"] == [{"x": 1, "y": 2}, {"x": 1, "y": 2}]
    assert index.position(("use", "x")) == (1, 17)  # where the merged value was written


def test_billion_laughs_fails_fast_with_a_position(pack_file: Write) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = pack_file("\n".join(lines) + "\nshare: *i\n")
    tracemalloc.start()
    try:
        message = only_problem(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "aliases expand to more than" in message
    assert int(message.split(":")[0]) < 10  # refused while still reading the anchors
    assert peak < 20 * 1024 * 1024


def test_an_alias_cannot_refer_to_itself(pack_file: Write) -> None:
    assert "refers to no anchor defined before it" in only_problem(pack_file("a: &x [1, *x]\n"))


def test_unknown_alias_is_reported_at_the_alias(pack_file: Write) -> None:
    assert only_problem(pack_file("a: 1\nb: *nowhere\n")).startswith("2:4: alias *nowhere")


_PARSERS = ["pure-python"] + (["libyaml"] if hasattr(yaml, "CSafeLoader") else [])


@pytest.mark.parametrize("parser", _PARSERS)
@pytest.mark.parametrize("style", ["flow", "block"])
def test_ten_thousand_levels_of_nesting_are_refused_without_recursion(
    pack_file: Write, style: str, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml stops flow nesting at 1,000 levels with its own error (PyYAML ≥ 6.0.2); the user
    # gets the same message whichever parser PyYAML was built with.
    loader = yaml.CSafeLoader if parser == "libyaml" else yaml.SafeLoader
    monkeypatch.setattr(yaml_loader, "_Loader", loader)
    depth = 10_000
    # block lists nest on one line: `- - - x`
    text = "a: " + "[" * depth + "]" * depth + "\n" if style == "flow" else "- " * depth + "x\n"
    message = only_problem(pack_file(text))
    assert f"nests deeper than {MAX_DEPTH} levels" in message


def test_nesting_up_to_the_limit_loads(pack_file: Write) -> None:
    depth = MAX_DEPTH - 1
    data, _ = load_yaml(pack_file("[" * depth + "]" * depth))
    for _ in range(depth - 1):
        data = data[0]
    assert data == []


def test_a_50_mb_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.write(b"share: []\n")
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    message = only_problem(path)
    assert message.startswith("1:1: the file is 50.0 MB")
    assert f"at most {MAX_FILE_BYTES // (1024 * 1024)}.0 MB" in message


def test_python_and_custom_tags_are_refused_with_their_position(pack_file: Write) -> None:
    text = "a: !!python/object/apply:os.system ['true']\nb: !custom x\nc: !!binary aGk=\nd: !!str ok\n"
    with pytest.raises(SpecError) as caught:
        load_yaml(pack_file(text))
    found = [(p.line, p.col, p.message.split(" is not allowed")[0]) for p in caught.value.problems]
    assert found == [
        (1, 4, "the tag !!python/object/apply:os.system"),
        (2, 4, "the tag !custom"),
        (3, 4, "the tag !!binary"),
    ]


def test_standard_tags_convert_values(pack_file: Write) -> None:
    data, _ = load_yaml(pack_file('a: !!int "42"\nb: !!str 42\nc: !!float 1\nd: !!bool "true"\n'))
    assert data == {"a": 42, "b": "42", "c": 1.0, "d": True}
    assert "'x' is not a valid !!int" in only_problem(pack_file("a: !!int x\n"))


def test_duplicate_keys_are_errors_at_the_second_key(pack_file: Write) -> None:
    message = only_problem(pack_file("share: []\nmetadata: {}\nshare: [1]\n"))
    assert message == "3:1: duplicate key 'share' (first given at line 1)"


def test_invalid_utf8_is_reported_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"share:\n  - name: caf" + b"\xe9\n")
    assert only_problem(path) == "2:14: the file is not valid UTF-8: byte 0xe9 here"


def test_utf8_bom_and_utf16_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    (tmp_path / "utf16.yaml").write_text("a: 2\n", encoding="utf-16")
    assert load_yaml(tmp_path / "bom.yaml")[0] == {"a": 1}
    assert load_yaml(tmp_path / "utf16.yaml")[0] == {"a": 2}


def test_tab_indentation_is_reported_on_the_tab(pack_file: Write) -> None:
    message = only_problem(pack_file("share:\n  - name: x\n\tshare_assets: []\n"))
    assert message == "3:1: a tab is used for indentation; YAML allows only spaces there"


def test_control_characters_are_refused(pack_file: Write) -> None:
    assert only_problem(pack_file("a: 1\nb: x\x00y\n")) == (
        "2:5: control character U+0000 is not allowed in YAML"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_an_empty_document_is_reported(pack_file: Write, text: str) -> None:
    assert "the file is empty" in only_problem(pack_file(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list"), ("just text\n", "a single value"), ("42\n", "a single value")],
)
def test_a_document_that_is_not_a_mapping_is_refused(pack_file: Write, text: str, kind: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_pack(pack_file(text))
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (1, 1)
    assert f"this document is {kind}" in problem.message


def test_a_second_document_is_refused(pack_file: Write) -> None:
    assert only_problem(pack_file("a: 1\n---\nb: 2\n")).startswith("2:1: a second YAML document")


def test_syntax_errors_carry_the_parser_position_and_context(pack_file: Write) -> None:
    with pytest.raises(SpecError) as caught:
        load_yaml(pack_file("share:\n  - name: x\n  oops\n  y: 1\n"))
    (problem,) = caught.value.problems
    assert problem.message.startswith("invalid YAML: ")
    assert problem.line in (3, 4)
    assert problem.hint is not None and "line" in problem.hint


def test_mapping_keys_must_be_text(pack_file: Write) -> None:
    assert only_problem(pack_file("? [a, b]\n: 1\n")).startswith("1:3: a mapping key must be text")


def test_missing_files_and_directories_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_pack(tmp_path / "absent.yaml")
    with pytest.raises(UsageError, match="is a directory"):
        load_pack(tmp_path)


def test_compose_reports_every_duplicate_and_keeps_going() -> None:
    composed = compose("a: 1\na: 2\nb: {c: 1, c: 2}\n", "f.yaml")
    assert not composed.fatal
    assert [(p.line, p.col) for p in composed.problems] == [(2, 1), (3, 11)]
    assert composed.data == {"a": 1, "b": {"c": 1}}


def test_problems_found_before_a_syntax_error_are_kept() -> None:
    composed = compose("a: 1\na: 2\nb: [1, 2\n", "f.yaml")
    assert composed.fatal
    assert [p.message.split(":")[0] for p in composed.problems] == [
        "duplicate key 'a' (first given at line 1)",
        "invalid YAML",
    ]
