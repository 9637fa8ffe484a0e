"""HTML mail bodies as plain text, with the stdlib parser.

Many customers write from Outlook or webmail and send HTML only. The later
stages (quote splitting, regex extraction) need lines: one paragraph per line,
one table row per line with its cells kept apart, nothing hidden, and no
no-break spaces (French puts them before ":" and inside numbers). Measured in
reference/text-stack-measurements.md §4: the stdlib parser does this well
where bs4 glues cells together and html2text is GPL.

It also holds the two text normalisations every later stage shares:
``normalize_spaces`` and ``fold`` (lower case, no accents, same length, so
that matches on folded text point back into the original).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser

# No-break, narrow no-break, thin, figure and other fixed-width spaces.
_ODD_SPACES = re.compile("[\u00a0\u202f\u2000-\u200a\u205f\u3000]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def normalize_spaces(text: str) -> str:
    """Fixed-width and no-break spaces become plain spaces; zero-width ones go."""
    return _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", text))


class CharTable(dict):
    """A ``str.translate`` table that maps each character by ``convert`` (one character to one, so a
    translated text keeps its length), computed the first time the character is met."""

    def __init__(self, convert) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, code: int) -> str:
        converted = self[code] = self.convert(chr(code))
        return converted


def fold(text: str) -> str:
    """Lower case without accents, same length, so match spans map back to the original."""
    return text.translate(_FOLD_TABLE)


def _fold_char(ch: str) -> str:
    if ch in "’ʼ":  # typographic apostrophes
        return "'"
    lower = ch.lower()
    return unicodedata.normalize("NFD", lower)[0] if len(lower) == 1 else ch


_FOLD_TABLE = CharTable(_fold_char)


_SKIPPED = {"style", "script", "head", "title", "template", "noscript", "xml"}
_VOID = {"br", "img", "meta", "link", "hr", "input", "col", "area", "base", "wbr", "source"}
_BLOCKS = {
    "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
    "dl", "dt", "dd", "center", "form", "fieldset", "tbody", "thead", "tfoot",
}
_CELLS = {"td", "th"}
# "Le 3 mars, X a écrit :", "On …, X wrote:": the line before a quoted mail
_WROTE = re.compile(r"(?:a\s+[ée]crit|wrote|[ée]crit)\s*:$", re.I)


def _is_cited(attrs: list[tuple[str, str | None]]) -> bool:
    """A blockquote a mail client marks as quoted history (type="cite", a *quote class)."""
    return any((name == "type" and value == "cite") or (name == "class" and value and "quote" in value.lower())
               for name, value in attrs)


# Outlook writes each line as <p class=MsoNormal> with no margin: a line, not a paragraph
_LINE_PARAGRAPH = re.compile(r"msonormal|margin(?:-bottom)?\s*:\s*0(?:px|pt|cm|em)?\s*(?:;|$|\")", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
# The pipes a table leaves at either end of a line ("| a | b |"); the lookbehind lets a search try the
# final run of blanks and pipes from its start only, not again from each of its characters.
_EDGE_PIPES = re.compile(r"^(?:\|\s*)++|(?<![\s|])(?:\s*\|)++$")
_UNCLOSED = 8  # constructs left open at the end that are parsed as html.parser does; the rest is text


class _TextBuilder(HTMLParser):
    """Collects visible text; block tags and <br> start new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.open: dict[str, int] = {}  # how many of each tag are on the stack
        self.skip_depth = 0  # > 0 while inside a skipped or hidden element
        self.quote_depth = 0
        self.quote_kinds: list[bool] = []  # for each open blockquote: does it quote (else it indents)?
        self.cell_depth = 0
        self.cells_in_row = 0
        self.pre_depth = 0
        self.paragraphs: list[bool] = []  # for each open <p>: is it a paragraph (a blank line after it), not a line?
        self.closing = False
        self.unclosed = 0

    # -- what is left open at the end ----------------------------------------
    def close(self) -> None:
        """Read what is left at the end of the data.

        There, html.parser (Python 3.11) reads a tag, comment or declaration
        that never closes as text up to the next ">", then goes on parsing;
        but it first looks for the construct's end through all the rest of
        the data, for each of them: quadratic on "<a <a <a …" without a ">"
        (CPython gh-135462). After _UNCLOSED of them, the rest is read as
        text at once, as the parser ends up reading such a tail anyway.
        """
        self.closing = True
        super().close()

    def _parse(self, parse: Callable[[int], int], i: int) -> int:
        k = parse(i)
        if k < 0 and self.closing:
            self.unclosed += 1
            if self.unclosed >= _UNCLOSED:
                rest = self.rawdata[i:]
                self.handle_data(rest if self.cdata_elem else unescape(rest))
                return len(self.rawdata)
        return k

    def parse_starttag(self, i: int) -> int:
        return self._parse(super().parse_starttag, i)

    def parse_endtag(self, i: int) -> int:
        return self._parse(super().parse_endtag, i)

    def parse_comment(self, i: int, report: int = 1) -> int:
        return self._parse(lambda at: super(_TextBuilder, self).parse_comment(at, report), i)

    def parse_pi(self, i: int) -> int:
        return self._parse(super().parse_pi, i)

    def parse_html_declaration(self, i: int) -> int:
        return self._parse(super().parse_html_declaration, i)

    # -- output helpers ------------------------------------------------------
    def _introduced(self) -> bool:
        """Does the text so far end with an introduction ("… à l'adresse suivante :"), so that a
        blockquote here indents what it announces rather than quoting an earlier mail?"""
        tail = "".join(self.out[-20:]).rstrip()
        last = tail[tail.rfind("\n") + 1 :]
        return last.endswith(":") and not _WROTE.search(last)

    def _at_line_start(self) -> bool:
        return not self.out or self.out[-1].endswith("\n")

    def _paragraph_break(self) -> None:
        """A blank line after a paragraph (outside table cells): a cue's reach ends there, as in plain text."""
        self._newline()
        if not self.cell_depth and self.out and not self.quote_depth:
            self.out.append("\n")

    def _newline(self) -> None:
        if self.cell_depth:
            self._write(" ")
        elif not self._at_line_start():
            self.out.append("\n")

    def _write(self, text: str) -> None:
        if not text:
            return
        if self._at_line_start() and self.quote_depth:
            self.out.append("> ")  # one marker says "quoted", whatever the depth
        self.out.append(text)

    # -- parser callbacks ----------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = tag in _SKIPPED or any(
            (name == "hidden") or (name == "style" and value and _HIDDEN_STYLE.search(value))
            for name, value in attrs
        )
        if tag in _VOID:
            if not self.skip_depth and tag == "br":
                if self.cell_depth:
                    self._write(" ")
                else:
                    self.out.append("\n")
            elif not self.skip_depth and tag == "hr":
                self._paragraph_break()
            return
        self.stack.append(tag)
        self.open[tag] = self.open.get(tag, 0) + 1
        if self.skip_depth or hidden:
            self.skip_depth += 1
            return
        if tag == "tr":
            self._newline()
            self.cells_in_row = 0
        elif tag in _CELLS:
            if self.cells_in_row:
                self._write(" | ")
            self.cells_in_row += 1
            self.cell_depth += 1
        elif tag in _BLOCKS:
            self._newline()
            if tag == "blockquote":
                indent = not self.quote_depth and not _is_cited(attrs) and self._introduced()
                self.quote_kinds.append(not indent)
                self.quote_depth += not indent
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "p":
                self.paragraphs.append(not _LINE_PARAGRAPH.search(" ".join(v or "" for n, v in attrs
                                                                           if n in ("class", "style"))))
            elif tag == "li":
                self._write("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open.get(tag):
            return
        # Close everything opened after this tag too (unclosed <p>, <td>...).
        while self.stack:
            opened = self.stack.pop()
            self.open[opened] -= 1
            self._close(opened)
            if opened == tag:
                break

    def _close(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if tag in _CELLS:
            self.cell_depth = max(0, self.cell_depth - 1)
        elif tag in _BLOCKS:
            if tag == "blockquote":
                quoted = self.quote_kinds.pop() if self.quote_kinds else True
                self.quote_depth = max(0, self.quote_depth - quoted)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            if tag == "p" and self.paragraphs and self.paragraphs.pop():
                self._paragraph_break()
            else:
                self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            for i, line in enumerate(data.split("\n")):
                if i:
                    self.out.append("\n")
                self._write(line)
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", data)
        if self._at_line_start():
            text = text.lstrip(" ")
        self._write(text)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one block per line, cells joined by " | "."""
    builder = _TextBuilder()
    try:
        builder.feed(html)
        builder.close()
    except Exception:  # html.parser is lenient; this is a last resort
        pass
    text = normalize_spaces("".join(builder.out))
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    lines = [_EDGE_PIPES.sub("", line).strip() for line in lines]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
