"""Someone else's text on an operator's terminal: safe, and on one line when it must fit a column.

Senders choose their names, subjects and bodies, escape sequences and
bidirectional overrides included; what `once`, `run` and the CLI print of
them goes through here.
"""

from __future__ import annotations

import unicodedata


def printable(text: str | None) -> str:
    """A line of someone else's text, safe on a terminal: control and format characters (escape
    sequences, bidirectional overrides, line breaks) become spaces; the rest is left as it is."""
    return "".join(" " if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" else c for c in text or "")


def shorten(text: str | None, width: int) -> str:
    """``text`` made printable on one line, runs of blanks made one space, and past ``width``
    characters ending with "…"."""
    text = " ".join(printable((text or "")[:4 * width]).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def shorten_address(address: str | None, width: int) -> str:
    """An address within ``width`` characters, its domain kept whole where it fits (``jean.dup…@acme.fr``)."""
    address = shorten(address, 4 * width)
    local, at, domain = address.rpartition("@")
    if len(address) <= width or not at or len(domain) > width - 3:
        return shorten(address, width)
    return f"{local[:width - len(domain) - 2].rstrip()}…@{domain}"
