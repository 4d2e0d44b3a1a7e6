"""Reading a SharePack file: a size cap checked before parsing, and text that must be UTF-8."""

from __future__ import annotations

import codecs
from pathlib import Path

from sharepack.errors import SpecError, SpecProblem, UsageError

MAX_FILE_BYTES = 10 * 1024 * 1024


def read_text(path: str | Path) -> str:
    """The file's text, refusing files over the size cap and text that is not valid UTF-8 (or UTF-16)."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file", hint="check the path of the SharePack YAML") from None
    except IsADirectoryError:
        raise UsageError(f"{file} is a directory, not a SharePack file", hint="pass the .yaml file") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        size = Path(path).stat().st_size if Path(path).is_file() else len(data)
        raise SpecError(
            problems=[
                SpecProblem(
                    file,
                    1,
                    1,
                    f"the file is {_megabytes(size)}; a SharePack may be at most "
                    f"{_megabytes(MAX_FILE_BYTES)} (it was not parsed)",
                    "split it into several packs: `sharepack validate` and `plan` take several files",
                )
            ]
        )
    return decode(data, file)


def decode(data: bytes, file: str) -> str:
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode(encoding, errors="replace")) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise SpecError(
            problems=[
                SpecProblem(
                    file,
                    before.count(b"\n") + 1,
                    col,
                    f"the file is not valid {encoding.split('-sig')[0].upper()}: byte 0x{bad} here",
                    "save the file as UTF-8",
                )
            ]
        ) from None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
