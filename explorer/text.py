"""One escaping rule for every text that leaves the program.

Text from data files (names, titles, notes, sources) reaches four kinds of
output, and each has its own way of turning text into something else:

- a chart or a page: Plotly reads a subset of HTML in its text (``<a href>``,
  ``<b>``, ``<br>``) and a browser reads all of it -> :func:`escape_markup`;
- a CSV cell: a spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or
  ``@`` as a formula -> :func:`escape_csv_cell`;
- a terminal: ESC starts a control sequence (colours, window title, cursor
  moves), CR rewrites the line, BEL rings -> :func:`escape_terminal` (and
  :func:`escape_json` for JSON printed to it);
- an XML file (GraphML, GEXF): XML 1.0 forbids most control characters even as
  character references -> :func:`strip_xml_invalid`.

Each function takes any value (``None`` gives ``""`` for the text functions)
and returns plain ``str`` (``escape_csv_cell`` keeps numbers as numbers).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "escape_markup",
    "escape_csv_cell",
    "escape_terminal",
    "escape_json",
    "strip_xml_invalid",
    "CSV_FORMULA_PREFIXES",
]

# Plotly.js decodes only &amp; &lt; &gt; (and a few symbols) among named entities,
# but every numeric one, so quotes use numeric references: they read the same in
# HTML, in SVG and in a Plotly label.
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})

#: A CSV cell starting with one of these is prefixed with ``'`` (OWASP, "CSV Injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain number written as text ("-12", "+3.5e2") is not a formula: a spreadsheet reads
# it as that number, so it is left as it is and still sorts as a number.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

# C0 and C1 controls and DEL; the line and paragraph separators (which some terminals
# break lines on); the bidirectional overrides and isolates, which reorder what
# follows them on screen ("Trojan Source").
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TERMINAL_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What json.dumps(ensure_ascii=False) leaves raw in strings that a terminal acts on (it escapes C0 itself).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def escape_markup(text: Any) -> str:
    """Return ``text`` with ``&``, ``<``, ``>``, ``"`` and ``'`` as character references.

    The result shows the original characters, as text, in HTML, in SVG and in
    Plotly labels and hover text (Plotly understands the numeric references used
    for the quotes, not ``&quot;``).  Escape once, at the point where data text is
    put into markup; never escape text that is already escaped.

    Examples
    --------
    >>> escape_markup('<a href="javascript:x()">Ma & Co\\'s</a>')
    '&lt;a href=&#34;javascript:x()&#34;&gt;Ma &amp; Co&#39;s&lt;/a&gt;'
    >>> escape_markup("Сергей Лавров")
    'Сергей Лавров'
    >>> escape_markup(None)
    ''
    """
    return _as_text(text).translate(_MARKUP)


def escape_csv_cell(value: Any) -> Any:
    """Return ``value`` safe to write as a CSV cell that a spreadsheet will open.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading ``'`` so that Excel, LibreOffice and Google Sheets show it as
    text instead of running it as a formula (the OWASP rule).  Numbers (``int``,
    ``float``, also as plain numeric text such as ``"-12"``), ``None``, NaN and
    booleans are returned unchanged; quoting the cell is the CSV writer's job.

    Examples
    --------
    >>> escape_csv_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> escape_csv_cell("@SUM(A1)"), escape_csv_cell("+1+1"), escape_csv_cell("\\tx")
    ("'@SUM(A1)", "'+1+1", "'\\tx")
    >>> escape_csv_cell("Ma Zhaoxu"), escape_csv_cell("a=b")
    ('Ma Zhaoxu', 'a=b')
    >>> escape_csv_cell(-2.5), escape_csv_cell("-2.5"), escape_csv_cell(None)
    (-2.5, '-2.5', None)
    """
    if not isinstance(value, str):
        return value
    if value.startswith(CSV_FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _show_control(match: re.Match[str]) -> str:
    char = match.group()
    if char in _TERMINAL_NAMED:
        return _TERMINAL_NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_terminal(text: Any, keep_newlines: bool = False) -> str:
    """Return ``text`` with every control character shown as a visible escape.

    ESC, CR, BEL, NUL and the other C0/C1 control characters, DEL, newlines and
    tabs inside a value, the Unicode line separators and the bidirectional
    overrides become ``\\x1b``, ``\\r``, ``\\x07``, ``\\x00``, ``\\n``, ``\\t``,
    ``\\u202e``...  so data can neither move the cursor, recolour or retitle
    the terminal, nor hide or reorder what is printed after it.  Letters in any
    script, accents and emoji are kept.  Apply it to each value; for a text of
    several lines that the program built (a report, a table), ``keep_newlines``
    keeps its ``\\n`` and escapes the rest.  Escaping twice changes nothing.

    Examples
    --------
    >>> escape_terminal("\\x1b]0;pwned\\x07Lavrov")
    '\\\\x1b]0;pwned\\\\x07Lavrov'
    >>> print(escape_terminal("two\\nlines\\rNUL\\x00"))
    two\\nlines\\rNUL\\x00
    >>> escape_terminal("王毅 — Śródka ✓")
    '王毅 — Śródka ✓'
    >>> escape_terminal("line 1\\n  line\\x1b 2", keep_newlines=True)
    'line 1\\n  line\\\\x1b 2'
    """
    text = _as_text(text)
    if keep_newlines:
        return "\n".join(_TERMINAL_UNSAFE.sub(_show_control, line) for line in text.split("\n"))
    return _TERMINAL_UNSAFE.sub(_show_control, text)


def escape_json(json_text: str) -> str:
    """Return JSON text with DEL, the C1 controls, the line separators and the bidirectional
    overrides written as ``\\uXXXX`` escapes.

    The result is the same JSON value (these characters can only occur inside
    strings, where the escape means the character), so it is safe both to
    print and to parse.  :func:`json.dumps` already escapes the C0 controls,
    ESC among them.

    Examples
    --------
    >>> import json
    >>> text = json.dumps({"name": "Ma\\u202eevil\\x9b2J"}, ensure_ascii=False)
    >>> escape_json(text)
    '{"name": "Ma\\\\u202eevil\\\\u009b2J"}'
    >>> json.loads(escape_json(text)) == json.loads(text)
    True
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def strip_xml_invalid(text: Any, replacement: str = "\ufffd") -> str:
    """Return ``text`` with the characters XML 1.0 cannot hold replaced by ``replacement``.

    XML 1.0 allows tab, newline and carriage return but no other C0 control
    character, no lone surrogate and neither U+FFFE nor U+FFFF, not even as a
    character reference, so a GraphML or GEXF writer either fails or writes a
    file no parser reads.  The default replacement is U+FFFD, the Unicode
    replacement character, so the reader sees that something was there.

    Examples
    --------
    >>> strip_xml_invalid("Ma\\x00Zhaoxu\\x1b[31m")
    'Ma\\ufffdZhaoxu\\ufffd[31m'
    >>> strip_xml_invalid("tab\\tok", replacement="")
    'tab\\tok'
    """
    return _XML_INVALID.sub(replacement, _as_text(text))
