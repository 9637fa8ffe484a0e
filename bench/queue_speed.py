"""Benchmark: the review web app's queue page with 10,000 items waiting (issue #13: < 300 ms).

Builds a database with N items waiting for a person (messages in review without a case, cases in
review, drafts, held replies) by inserting rows, logs a user in through the real login form, then
times GET / (the first page of the queue, sorted by risk) and a filtered page, several times each.
Not a test: it prints figures.

    .venv/bin/python bench/queue_speed.py [--items 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot.config import parse_settings  # noqa: E402
from mailbot.store import Store  # noqa: E402
from mailbot.web import create_app  # noqa: E402
from mailbot.web.auth import hash_password  # noqa: E402

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
SITUATIONS = ["po_change", "equipment_move", "invoice_by_email", "other", "contract_termination"]


def fill(store: Store, items: int) -> None:
    """items / 4 of each: messages in review (no case), cases in review, drafts, held replies."""
    quarter = items // 4
    with store.transaction():
        for i in range(quarter):
            when = (NOW - timedelta(minutes=7 * i)).isoformat(timespec="seconds")
            analysis = {"situation": SITUATIONS[i % 5], "confidence": (i % 10) / 10, "action": "review",
                        "evidence": [{"stage": "classify", "name": "model", "text": "", "detail": ""}],
                        "chain": [{"gate": "confidence", "code": "low_confidence", "action": "review",
                                   "text": "confidence 0.30 below 0.50"}],
                        "decided_by": {"gate": "confidence", "code": "low_confidence"}, "reasons": ["low"]}
            store.db.execute("insert into messages (mailbox, uidvalidity, uid, sender, subject, destination, state, "
                             "analysis, created_at) values ('INBOX', 1, ?, ?, ?, 'review', 'decided', ?, ?)",
                             [i, f"client{i % 300}@exemple{i % 40}.fr", f"Demande {i}", json.dumps(analysis), when])
            ref = f"WFPS-2026-{i:06d}"
            store.db.execute("insert into cases (ref, situation, sender, state, updated_at, created_at) "
                             "values (?, ?, ?, 'in_review', ?, ?)", [ref, SITUATIONS[i % 5],
                                                                     f"client{i % 300}@exemple{i % 40}.fr", when, when])
            # the case's own message and events, as the processor records them (read for the reason)
            row = store.db.execute("insert into messages (mailbox, uidvalidity, uid, sender, subject, destination, "
                                   "state, analysis, created_at, case_ref) values ('INBOX', 2, ?, ?, ?, 'review', "
                                   "'decided', ?, ?, ?)", [i, f"client{i % 300}@exemple{i % 40}.fr", f"Dossier {i}",
                                                           json.dumps(analysis), when, ref]).lastrowid
            for kind, detail in (("message", {"row": row}), ("state", {"from": None, "to": "in_review"})):
                store.db.execute("insert into case_events (case_ref, at, kind, detail) values (?, ?, ?, ?)",
                                 [ref, when, kind, json.dumps(detail)])
            for state in ("draft", "held"):
                store.db.execute("insert into outbox (state, kind, case_ref, recipients, recipient, raw, attempts, "
                                 "created_at) values (?, 'acknowledge', ?, '[]', ?, x'', 0, ?)",
                                 [state, ref, f"client{i % 300}@exemple{i % 40}.fr", when])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mailbot-queue-"))
    settings = parse_settings({"database": {"path": str(folder / "m.db")}}, folder / "settings.toml")
    store = Store(folder / "m.db")
    fill(store, args.items)
    store.add_user("bench", "desk", hash_password("un-mot-de-passe-long"), NOW)
    store.close()
    app = create_app(settings, clock=lambda: NOW)
    client = app.test_client()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"csrf": token, "name": "bench", "password": "un-mot-de-passe-long"})
    print(f"{args.items} items waiting; page size {settings.web.page_size}; best and median of {args.rounds}")
    for label, path in (("queue, first page, by risk", "/"), ("filtered: drafts of one customer", "/?kind=draft&customer=client7@"),
                        ("page 40", "/?page=40")):
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.status_code
        print(f"  {label:<36} best {min(times):6.0f} ms   median {statistics.median(times):6.0f} ms   (target < 300 ms)")


if __name__ == "__main__":
    main()
