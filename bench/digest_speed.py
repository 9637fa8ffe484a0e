"""Benchmark: building a manager's digest over one year of traffic (issue #14: < 2 s).

Generates a database with one year of traffic (100,000 messages by default: their cases, replies,
forwards, people's actions, a directory of 300 customers), then times building the whole
service's digest and a colleague's for one day (figures of the day and of the week before,
backlog, health) and rendering it. Not a test: it prints figures.

    .venv/bin/python bench/digest_speed.py [--messages 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot.compose.digest import digest_message  # noqa: E402
from mailbot.config import parse_settings  # noqa: E402
from mailbot.read.rules import load_rules  # noqa: E402
from mailbot.service.digests import Recipient, build  # noqa: E402
from mailbot.store import EVERYTHING, Scope, Store  # noqa: E402

START = datetime(2025, 12, 1, tzinfo=timezone.utc)
ACTIONS = ["acknowledge"] * 5 + ["request_info"] * 3 + ["review", "ignore"]


def generate(store: Store, messages: int, rng: random.Random) -> None:
    situations = list(load_rules().situations)
    with store.transaction():
        for n in range(300):
            store.db.execute("insert into customers values (?, ?, ?, ?)",
                             [f"C{n:04d}", f"Client {n}", f"gest{n % 12}@cf.canon.fr", f"com{n % 9}@cf.canon.fr"])
            store.db.execute("insert into customer_domains values (?, ?)", [f"client{n}.fr", f"C{n:04d}"])
        for i in range(messages):
            when = START + timedelta(seconds=rng.randrange(365 * 86400))
            at = when.isoformat(timespec="seconds")
            customer = rng.randrange(300)
            situation = rng.choice(situations)
            action = rng.choice(ACTIONS)
            analysis = {"situation": situation, "action": action, "confidence": rng.random(),
                        "lead_time_ok": rng.random() > 0.1 if situation in ("po_change", "invoice_by_email") else None}
            ref = f"WFPS-2026-{i:06d}"
            row = store.db.execute(
                "insert into messages (mailbox, uidvalidity, uid, sender, subject, situation, action, destination, "
                "state, analysis, created_at, case_ref) values ('INBOX', 1, ?, ?, ?, ?, ?, ?, 'decided', ?, ?, ?)",
                [i, f"p{i % 50}@client{customer}.fr", f"Demande {i}", situation, action,
                 "review" if action == "review" else f"processed/{situation}", json.dumps(analysis), at,
                 None if action == "ignore" else ref]).lastrowid
            if action == "ignore":
                continue
            state = {"acknowledge": "routed", "request_info": "awaiting_customer", "review": "in_review"}[action]
            if when < START + timedelta(days=300):
                state = "closed"
            store.db.execute("insert into cases (ref, situation, sender, state, created_at, updated_at, "
                             "customer_number) values (?, ?, ?, ?, ?, ?, ?)",
                             [ref, situation, f"p{i % 50}@client{customer}.fr", state, at, at, f"C{customer:04d}"])
            if action in ("acknowledge", "request_info"):
                sent = (when + timedelta(seconds=rng.randrange(5, 600))).isoformat(timespec="seconds")
                store.db.execute("insert into outbox (message_row, case_ref, kind, recipients, raw, state, attempts, "
                                 "created_at, sent_at) values (?, ?, ?, '[]', x'', 'sent', 0, ?, ?)",
                                 [row, ref, action, at, sent])
            if action == "acknowledge":
                store.db.execute("insert into outbox (case_ref, kind, recipients, raw, state, attempts, created_at, "
                                 "sent_at) values (?, 'forward', '[]', x'', 'sent', 0, ?, ?)", [ref, at, at])
            if action == "review" and state == "closed":
                later = (when + timedelta(hours=rng.randrange(1, 72))).isoformat(timespec="seconds")
                store.db.execute("insert into actions (at, actor, action, target, detail) values (?, 'desk', "
                                 "'resolve', ?, '{}')", [later, f"message {row}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mailbot-digest-"))
    settings = parse_settings({"database": {"path": str(folder / "m.db")}}, folder / "settings.toml")
    store = Store(folder / "m.db")
    started = time.perf_counter()
    generate(store, args.messages, random.Random(14))
    print(f"{args.messages} messages over a year generated in {time.perf_counter() - started:.1f} s "
          f"({(folder / 'm.db').stat().st_size / 1e6:.0f} MB)")
    day = date(2026, 11, 20)
    now = datetime.combine(day + timedelta(days=1), clock_time(8), tzinfo=timezone.utc)
    people = (("the whole service", Recipient("chef@cf.canon.fr", EVERYTHING, "fr", "Europe/Paris", clock_time(7, 30),
                                              whole_service=True)),
              ("an account manager (25 customers)", Recipient(
                  "gest1@cf.canon.fr", Scope(frozenset(f"C{n:04d}" for n in range(1, 300, 12)),
                                             frozenset({"invoice_by_email", "invoice_address_change"})),
                  "fr", "Europe/Paris", clock_time(7, 30))))
    for label, recipient in people:
        times, size = [], 0
        for _ in range(args.rounds):
            began = time.perf_counter()
            raw = digest_message(build(store, settings, recipient, day, now), settings, now)
            times.append(time.perf_counter() - began)
            size = len(raw)
        print(f"  digest of {label:<34} best {min(times):.2f} s, median {statistics.median(times):.2f} s, "
              f"{size / 1024:.0f} KB (target < 2 s, < 100 KB)")
    store.close()


if __name__ == "__main__":
    main()
