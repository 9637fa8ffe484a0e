"""How much of a message mailbot reads: the caps that bound the work on any input.

Anyone can e-mail the mailbox, and one crafted message must not stall intake
(SECURITY.md). Every step on customer input is linear in its size, and these
caps bound the size before each step runs: the raw message before MIME
parsing, the number of MIME parts, an HTML body before it is turned into
text, the text and each of its lines before quote splitting and extraction,
a header value before it is parsed, and what is stored of an analysis. A cap
that cuts something is recorded as evidence (stage "parse"), so a reviewer
knows the bot did not read everything. The daemon also gives each message a
time budget (workers.py): the caps make it unreachable in practice; the
budget makes it certain.
"""

from __future__ import annotations

MAX_MESSAGE_BYTES = 16_000_000  # larger: only the headers are read, a person opens the rest
MAX_HEADER_BYTES = 256_000      # of a too large or too split message: where its headers are looked for
MAX_PARTS = 500                 # MIME parts read; a message with more is read by its headers only
MAX_HTML_CHARS = 400_000        # of an HTML body, before it is turned into text
MAX_TEXT = 64_000               # of the body text: the request is at the top
MAX_LINE = 1_000                # characters per line; longer lines are wrapped (at a space when there is one)
MAX_HEADER_CHARS = 4_000        # of a header value that is parsed (From, Reply-To, Subject, Authentication-Results)
MAX_ATTACHMENTS = 50            # attachments listed in the analysis
MAX_EVIDENCE = 200              # evidence rows kept in the analysis
MAX_STORED_ANALYSIS = 64_000    # characters of an analysis' JSON in the ledger


def wrap_long_lines(text: str, limit: int = MAX_LINE) -> tuple[str, int]:
    """``text`` with every line of more than ``limit`` characters broken into
    pieces of at most ``limit`` (after the last space of each piece when there
    is one); returns the text and how many lines were broken. Linear."""
    if len(text) <= limit:
        return text, 0
    out: list[str] = []
    broken = 0
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
            continue
        broken += 1
        start = 0
        while len(line) - start > limit:
            cut = line.rfind(" ", start + 1, start + limit + 1)
            end = cut if cut > start else start + limit
            out.append(line[start:end])
            start = end + 1 if cut > start else end
        out.append(line[start:])
    return "\n".join(out), broken
