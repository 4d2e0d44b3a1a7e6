"""The checks that make a workbook file safe to parse, before openpyxl sees it.

A size cap before opening, macro-enabled workbooks refused, every zip part bounded by the size it
declares, and no DOCTYPE (entity expansion) in any XML part.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sharepack.errors import SpecError, SpecProblem, UsageError
from sharepack.pack.files import MAX_FILE_BYTES

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before parsing
# Every part is bounded before it is parsed: openpyxl reads styles, shared strings and the
# workbook whole, so a small file whose styles.xml unpacks to 95 MB would take gigabytes.
MAX_SHEET_PART_BYTES = 64 * 1024 * 1024  # worksheets and shared strings: rows are capped anyway
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024  # styles, themes, relationships, the workbook itself
_SHEET_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
# What [Content_Types].xml says of a workbook with macros, whatever its parts are named.
_MACRO_TYPES = ("vbaproject", "macroenabled", "ms-office.activex", "ms-excel.intl", "ms-excel.macrosheet")


def not_a_workbook(file: str, why: str) -> SpecError:
    return SpecError(problems=[SpecProblem(file, 1, 1, f"not a readable Excel workbook (.xlsx): {why}")])


def _read_bounded(path: Path, file: str) -> bytes:
    """The file's bytes, read once: a regular file only (not a device, a FIFO or a link to one),
    and its size checked on what is read, not on what a stat said."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file", hint="check the path of the SharePack workbook") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UsageError(f"{file} is not a regular file; sharepack reads a workbook only from a file")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SpecError(problems=[SpecProblem(file, 1, 1, f"the workbook is over {MAX_FILE_BYTES} bytes")])
    return data


def checked_bytes(path: Path, file: str) -> bytes:
    """The workbook's bytes once they are known safe to parse."""
    import io

    if path.suffix.lower() == ".xlsm":
        raise UsageError(
            f"{file} is a macro-enabled workbook; sharepack reads only .xlsx",
            hint="save it as an Excel Workbook (.xlsx): the macros are not needed to read the pack",
        )
    data = _read_bounded(path, file)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise not_a_workbook(file, reason(exc)) from None
    return data


def _check_parts(archive: zipfile.ZipFile, file: str) -> None:
    parts = archive.infolist()
    total = 0
    for info in parts:
        # zipfile reads no more than the size a part declares, so the declared size bounds it.
        name = info.filename.lower()
        limit = MAX_SHEET_PART_BYTES if name.startswith(_SHEET_PARTS) else MAX_OTHER_PART_BYTES
        if info.file_size > limit:
            raise not_a_workbook(file, f"its part {info.filename[:100]} unpacks to more than {limit} bytes")
        total += info.file_size
    if total > MAX_UNZIPPED_BYTES:
        raise SpecError(problems=[SpecProblem(file, 1, 1, "the workbook unpacks to more than 100 MB")])
    names = {info.filename.lower(): info for info in parts}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_a_workbook(file, "it has no xl/workbook.xml or no [Content_Types].xml")
    for info in parts:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            _refuse_doctype(archive, info, file)
    types = archive.read(names["[content_types].xml"]).decode("utf-8", errors="replace").lower()
    stored_vba = any(n.endswith("vbaproject.bin") for n in names)
    if stored_vba or any(kind in types for kind in _MACRO_TYPES):
        raise UsageError(f"{file} holds macros; sharepack reads only workbooks without them")


def _refuse_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> None:
    """A DOCTYPE may only come before the root element: read the prolog, and refuse one there
    (entities expand: a few bytes can become gigabytes). Excel never writes one."""
    import re

    prolog = b""
    with archive.open(info) as part:
        while len(prolog) < 1024 * 1024:
            chunk = part.read(8192)
            if not chunk:
                break
            prolog += chunk
            if re.search(rb"<[A-Za-z_]", prolog):  # the root element has begun
                break
    head = re.split(rb"<[A-Za-z_]", prolog, maxsplit=1)[0]
    if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
        raise not_a_workbook(file, f"its part {info.filename[:100]} declares a DOCTYPE")


def reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
