"""Rejoin the lines a mail client wrapped in the middle of a sentence.

Clients wrap at 72–78 characters, so a cue and its value land on two lines
("à compter du⏎1er janvier 2027", "n° de série⏎3Y0612300"), and every
extractor that reads a cue's sentence or line would stop at the break. A
break is soft when the line before it is long enough to have been wrapped,
or ends on a word that cannot end a sentence (an article, a preposition, a
label's "n°"), and neither line is a list item, a table row or the start of
a block (greeting, closing, address line after a colon); a list item's own
text that goes on below it, indented under it in lower case, is one too. A soft break
becomes a space: the text keeps its length, so spans found in the rejoined
text point at the same characters in the original.
"""

from __future__ import annotations

import re

WRAP_WIDTH = 60  # a line at least this long that ends mid-sentence was wrapped by the client

# Words that cannot end a sentence: the next line continues it.
_DANGLING = re.compile(
    # every word starts with a letter: the look ahead skips the blanks before blanks at once
    r"(?:^|\s)(?=[^\W\d_])(?:du|de|des|d'|le|la|les|l'|au|aux|à|a|en|et|ou|par|pour|sur|dans|avec|sans|entre|dès|depuis"
    r"|compter|partir|effet|n°|no\.?|num[ée]ro|nouveau|nouvelle|nouvel|notre|nos|votre|vos|son|sa|ses|leur|un|une"
    r"|the|a|an|of|from|to|on|in|at|by|for|with|and|or|as|our|your|new|number|no\.)$",
    re.I,
)
_ITEM = re.compile(r"^\s*(?:[-*•·>]|\d{1,2}[.)]|[a-z][.)])\s")  # a list item or quoted line
_TABLE = re.compile(r"\||\t| {3,}")  # cells of an HTML table or columns aligned with spaces
_ENDS_BLOCK = re.compile(r"[.!?:;,]$|^\W*$")  # the line ends a sentence or introduces a block
_STARTS_BLOCK = re.compile(
    r"^\s*(?:bonjour|bonsoir|madame|monsieur|cordialement|bien [àa] vous|merci|dear|hello|hi\b|regards"
    r"|best|kind regards|thanks?)\b",
    re.I,
)


def _soft(line: str, following: str) -> bool:
    """Is the break between ``line`` and ``following`` (both non-blank) a client's wrap?"""
    item = _ITEM.match(line)
    indent = item.end() if item else 0
    if item and not _ITEM.match(following) and not _TABLE.search(line) \
            and following[:indent] == " " * indent and following[indent : indent + 1].islower():
        return _wrapped(line)  # "- … (this one is not network-connected⏎  and will be …)": the item goes on below it
    if item or _ITEM.match(following) or _TABLE.search(line) or _TABLE.search(following):
        return False
    if _STARTS_BLOCK.match(following):
        return False
    stripped = line.rstrip()
    if _DANGLING.search(stripped[-16:]):
        return True
    if len(stripped) >= WRAP_WIDTH and stripped.endswith(",") and re.match(r"\s*[a-zà-ÿ]", following):
        return True  # "… part au rebut en fin d'année,⏎inutile de le paramétrer" (not "…, 2e étage,⏎69002 Lyon")
    if _ENDS_BLOCK.search(stripped):
        return False
    return len(stripped) >= WRAP_WIDTH and bool(re.match(r"\s*[a-zà-ÿ0-9(«\"']", following))


def _wrapped(line: str) -> bool:
    """Was this line cut by the client: long, or on a word that cannot end a sentence, and ending none?"""
    stripped = line.rstrip()
    return bool(_DANGLING.search(stripped[-16:])) or (len(stripped) >= WRAP_WIDTH and not _ENDS_BLOCK.search(stripped))


def join_soft_wraps(text: str) -> str:
    """``text`` with each soft line break replaced by a space (same length, same offsets). Linear."""
    lines = text.split("\n")
    out = list(text)
    position = 0
    for line, following in zip(lines, lines[1:]):
        position += len(line)
        if line.strip() and following.strip() and _soft(line, following):
            out[position] = " "
        position += 1
    return "".join(out)
