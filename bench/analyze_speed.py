"""Benchmark: analyze() throughput on the dev corpus beside the floor measured in the same run.

The floor is what any reader of these messages must at least do: parse them with
the stdlib email package (policy.default, body text through get_body/get_content)
and run spaCy's French tokenizer over that text. DESIGN.md's target: analyze at
least half as fast as the floor (ratio >= 0.5). One process; spaCy and the rules
are loaded (and analyze warmed up) before any timing; each figure is the best of
several rounds over the same messages.

    .venv/bin/python bench/analyze_speed.py [--corpus DIR] [--passes 10] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import email
import pstats
import sys
import time
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV_CORPUS = ROOT.parent / "shared/corpus/dev"
TARGET = 0.5


def body_text(raw: bytes) -> str:
    """The stdlib's reading of a message: parsed headers and the preferred body as text."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        msg.get(name)
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        return body.get_content()
    except (LookupError, ValueError):  # unknown charset, broken encoding
        return body.get_payload(decode=True).decode("utf-8", "replace")


def with_attachments() -> list[tuple[bytes, int]]:
    """Mails whose values are in real attachments, made with the test generators (fpdf2, openpyxl,
    python-docx; `pip install -e '.[test]'`): (bytes, pages or sheets). [] when they are missing."""
    try:
        sys.path.insert(0, str(ROOT))
        from tests.test_attachments import CSV_FORM, KBIS_PDF, LETTER, PO_PDF, XLSX, XLSX_FORM, mail, pdf
    except ImportError as exc:
        print(f"(mails with attachments not measured: {exc})")
        return []
    long_order = pdf(["Bon de commande n° BC-2027-0451", "Contrat Canon : CT-2024-00871", "Ligne de commande"], pages=8)
    return [(mail("Nouveau bon de commande", "ci-joint notre bon de commande", [("BC.pdf", "application/pdf", PO_PDF)]), 1),
            (mail("Bon de commande", "ci-joint", [("BC-long.pdf", "application/pdf", long_order)]), 8),
            (mail("Cession", "voir le K-bis joint", [("scan.pdf", "application/pdf", KBIS_PDF)]), 1),
            (mail("Relevés", "relevés joints", [("releves.xlsx", XLSX, XLSX_FORM)]), 1),
            (mail("Relevés", "relevé joint", [("releve.csv", "text/csv", CSV_FORM)]), 1),
            (mail("Résiliation", "courrier joint", [("lettre.docx", "application/vnd.openxmlformats-officedocument."
                                                      "wordprocessingml.document", LETTER)]), 1)]


def best_rate(work, messages: list[bytes], passes: int, rounds: int) -> float:
    """Messages per second, best of `rounds`, each round `passes` times over the messages."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(passes):
            for raw in messages:
                work(raw)
        best = min(best, time.perf_counter() - start)
    return passes * len(messages) / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    parser.add_argument("--passes", type=int, default=10, help="passes over the corpus per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="then profile analyze (cProfile, top 25)")
    args = parser.parse_args()

    messages = [p.read_bytes() for p in sorted(args.corpus.glob("*.eml"))]
    if not messages:
        print(f"bench: no .eml in {args.corpus}", file=sys.stderr)
        return 2

    import spacy

    from mailbot.read.analyze import analyze

    started = time.perf_counter()
    nlp = spacy.blank("fr")
    for raw in messages:  # loads the rules, and spaCy models if analyze uses them
        analyze(raw)
        nlp.make_doc(body_text(raw))
    print(f"set-up (spaCy, rules, warm-up; not timed below): {time.perf_counter() - started:.1f} s")

    def floor(raw: bytes) -> None:
        nlp.make_doc(body_text(raw))

    count = args.passes * len(messages)
    size = sum(map(len, messages)) / len(messages)
    print(f"{len(messages)} messages (mean {size / 1024:.1f} KB) x {args.passes} passes, best of {args.rounds}")
    floor_rate = best_rate(floor, messages, args.passes, args.rounds)
    analyze_rate = best_rate(analyze, messages, args.passes, args.rounds)
    ratio = analyze_rate / floor_rate
    print(f"floor (stdlib email policy.default + spacy.blank('fr') tokenizer): {floor_rate:8.0f} messages/s")
    print(f"analyze:                                                        {analyze_rate:8.0f} messages/s")
    print(f"ratio analyze/floor: {ratio:.2f} (target >= {TARGET}) -> {'OK' if ratio >= TARGET else 'BELOW TARGET'}"
          f"  [{count} messages per round]")

    attached = with_attachments()
    if attached:
        pages = sum(pages for _, pages in attached)
        rate = best_rate(analyze, [raw for raw, _ in attached], max(1, args.passes // 5), args.rounds)
        print(f"analyze, mails with attachments ({len(attached)}: PDF purchase orders and K-bis, xlsx and csv forms, "
              f"a docx letter; {pages} pages or sheets): {rate:6.0f} messages/s, {rate * pages / len(attached):.0f} "
              f"pages/s (apart: the figure above is mail without readable attachments)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.passes):
            for raw in messages:
                analyze(raw)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
