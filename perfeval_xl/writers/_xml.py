"""Escaping text for the XML this library writes by hand (worksheets, workbook.xml, document.xml)."""
from __future__ import annotations

#: The encoding error handler for the XML we write: a file name that is not valid UTF-8 reaches
#: Python with lone surrogates, which UTF-8 cannot carry; each shows as "?" instead of failing.
NOT_UTF8 = "replace"


def escape_text(text: str) -> str:
    """``text`` as XML character data: &, < and > escaped, \\r kept as a character reference.

    Tested first and escaped only when needed: str.translate looks every
    character up in a table, several µs for a line of Chinese text, while
    four substring searches take a fraction of that and most text has none.
    """
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})


def escape_attribute(text: str) -> str:
    """``text`` as a double-quoted attribute value: also " escaped, and \\r, \\n and \\t kept as character
    references (a parser would otherwise turn them into spaces)."""
    return text.translate(_ATTRIBUTE_ESCAPES)
