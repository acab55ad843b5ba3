"""Cell text in and out of sheets, proof against formula injection.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return must never run
as a formula. In CSV such a value (and any value that itself begins with an apostrophe) is written
with one extra leading apostrophe, the OWASP convention, and exactly one is removed on reading, so
the round trip is exact. In XLSX every cell is a string cell with the quote-prefix style; the
characters XML cannot carry are written as the OOXML escape ``_xHHHH_`` (a literal ``_xHHHH_`` as
``_x005F_xHHHH_``), which Excel decodes and reading reverses.
"""

from __future__ import annotations

import re
from typing import Any, cast

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]")
# --------------------------------------------------------------------------- cell escaping


def csv_escape(value: str) -> str:
    if value.startswith(_DANGEROUS_START) or value.startswith("'"):
        return "'" + value
    return value


def csv_unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def xlsx_escape(value: str) -> str:
    value = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(0), value)
    value = value.replace("\r", "_x000D_")
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def xlsx_unescape(value: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), value)


def cell_text(value: Any) -> str:
    """Convert an openpyxl cell value to the string the coder typed (or saw)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return xlsx_unescape(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return cast(str, text[:-9] if text.endswith("T00:00:00") else text)
    return str(value)
