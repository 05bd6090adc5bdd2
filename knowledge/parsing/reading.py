"""Reading a file's bytes and text, refusing missing, empty and binary files with a plain problem."""

from __future__ import annotations

import codecs
from pathlib import Path

from knowledge.sections import ParseError


def read_bytes(path: Path) -> bytes:
    """The file's bytes; ParseError (without the file name) if it cannot be read or holds only whitespace."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError("file not found") from None
    except IsADirectoryError:
        raise ParseError("is a directory, not a file") from None
    except OSError as exc:
        raise ParseError(f"cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise ParseError("the file is empty")
    return data


def decode_text(data: bytes) -> str:
    """`data` as UTF-8 text (a byte-order mark is dropped); ParseError for binary or non-UTF-8 bytes.

    Text saved as UTF-16 with a byte-order mark (as some Windows editors do) is accepted too.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _non_empty(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise ParseError("not valid UTF-16 text despite its byte-order mark") from None
    if b"\x00" in data:
        raise ParseError("binary file, not text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return _non_empty(text)


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ParseError("the file is empty")
    return text
