"""Benchmark: the real daemon on a backlog while faults are injected; does anything get lost or repeated?

Starts a fresh Dovecot and an aiosmtpd server on 127.0.0.1 (the test harness,
tests/servers.py), appends N messages to the bot's INBOX (default 1,000, cycled
from the bundled samples, each a separate request: its own Message-ID
``<fault-I@bench>`` and its own sender at the sample's domain, as in
bench/backlog.py), imports the sample directory, writes settings without
loop-safety caps (tests.support.NO_LIMITS) and runs `mailbot -v run` as a
subprocess. While the daemon works through the backlog it injects:

* K SIGKILLs of the daemon (default 20), each restarted at once. A kill waits
  until the daemon printed its ``ready:`` line (or the ledger or SMTP counts
  moved since its launch), so it never hits the start-up. Work is counted as
  ledger rows + messages received by the SMTP server, out of N + the messages
  the outbox will send (estimated as N x outbox rows / ledger rows so far).
  Most kills ("progress" kills) fire, plus a random 0-20 ms, when the work
  reaches a random point ahead: the work done when the daemon got ready +
  uniform(0.2, 1.8) x what is left / (kills left + 1), so that the kills spread
  over the whole run and land anywhere in the decide / send / move cycle,
  including the burst of sending after the SMTP outage. About one in four
  ("restart" kills) fires 0.01-0.3 s after the ``ready:`` line, in the recovery
  pass (pending replies sent, decided messages moved). A kill due once nothing
  is left to do is skipped.
* one Dovecot crash: ``Dovecot.kill()`` (SIGKILL of the whole tree), 0.5-2 s
  down, ``Dovecot.restart()`` on the same port and data, at a random ledger
  count between 50 % and 80 % of N;
* one SMTP outage: ``SmtpServer.stop()``, ``--smtp-outage`` seconds (default
  20) later ``start()`` again on the same port (the class keeps its port and
  what it received across stop/start), from a random ledger count between
  15 % and 45 % of N.

Then it waits until the inbox is empty, no ledger row is "decided" and no reply
is "pending" or "held" (or ``--timeout`` seconds), stops the daemon with
SIGTERM and prints figures read from the real data: the SQLite database (path
from the settings), what the SMTP server received, and the Dovecot folders.

    .venv/bin/python bench/faults.py [--messages 1000] [--kills 20] [--seed 1] [--smtp-outage 20]
                                     [--batch-size 20] [--timeout 600] [--keep]

What the figures mean:

  appended        messages put in the INBOX (one MULTIAPPEND per 500).
  handled         ledger rows (table ``messages``), and how many of our
                  messages have at least one: a message is recorded once per
                  (mailbox, UIDVALIDITY, UID), so more rows than messages means
                  one was recorded twice. Broken down by state and by action.
  expected reply  messages whose ledger action is ``acknowledge`` or
                  ``request_info`` (the actions that send the customer a
                  reply) and not quarantined; replies kept as drafts (low
                  confidence) are counted apart, they wait for a person.
  review / quarantine  ledger destination "review" / state "quarantined" (with the
                  quarantine errors): no reply by design, never "lost".
  replies         messages the SMTP server received with ``Auto-Submitted:
                  auto-replied`` (replies to customers, counted per In-Reply-To);
                  forwards to colleagues (every other message) are counted apart.
  LOST            expected a reply and got none at the SMTP server; and
                  messages still in the INBOX at the end; and messages with no
                  ledger row at all. Each is listed with its ledger and outbox rows.
  DUPLICATED      customer messages that got more than one reply; also any
                  message (reply or forward) the SMTP server got twice under the
                  same Message-ID. Each is listed with its ledger and outbox rows.
  STUCK           ledger rows still "decided"; outbox rows still "pending",
                  "held" or "unconfirmed" (and the full outbox state breakdown).
  cross-checks    outbox rows marked "sent" that the SMTP server never got (a
                  reply or forward the bot believes delivered: a kill between
                  the "sent" commit and the final dot, the window senders.py
                  describes, leaves one); messages received whose outbox row is
                  not "sent"; received messages with no outbox row.
  folders         messages per Dovecot folder, and copies of each of our
                  Message-IDs across all folders (missing = vanished, >1 = copied twice).
  cut mid-DATA    SMTP transactions the server discarded because their connection
                  ended before it had read the final dot (aiosmtpd logs "Connection
                  lost during DATA"), and how many followed a kill or the SMTP stop.
  faults          kills made (of K planned; skipped ones and why), worker
                  processes that outlived a killed daemon, unexpected daemon
                  exits, when the Dovecot crash and the SMTP outage happened.
  wall time       from the first launch of the daemon to the end of the wait.

Every process started here (the daemons, their analysis workers if one outlives
its daemon, Dovecot) is stopped by pid in a finally block; the SMTP server is a
thread of this process. Everything lives in a temporary folder under /dev/shm,
removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.config import load_settings  # noqa: E402
from mailbot.paths import SAMPLES_DIR  # noqa: E402
from tests.servers import Dovecot, SmtpServer  # noqa: E402
from tests.support import (BOT, PASSWORD_ENV, another_request, import_sample_directory, mailbot_env,  # noqa: E402
                           write_imap_settings)

REPLY_ACTIONS = ("acknowledge", "request_info")
STUCK_OUTBOX = ("pending", "held", "unconfirmed")
POLL = 0.01  # seconds between two looks at the ledger while faults are due
T0 = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {text}", flush=True)


def messages(count: int) -> list[bytes]:
    """``count`` separate requests cycled from the samples: Message-ID <fault-I@bench>, own sender."""
    samples = [p.read_bytes() for p in sorted(SAMPLES_DIR.glob("*.eml"))]
    return [another_request(samples[i % len(samples)], f"fault-{i}@bench") for i in range(count)]


def bare(message_id: str | None) -> str:
    return (message_id or "").strip().strip("<>").strip()


def headers(raw: bytes):
    return BytesHeaderParser(policy=compat32).parsebytes(raw)


class CutTransactions(logging.Handler):
    """aiosmtpd's own log: a transaction whose connection ended before the server had read its
    final dot ("Connection lost during DATA") is discarded; each such moment is noted."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "during DATA" in record.getMessage():
            self.times.append(time.time())


def utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%H:%M:%S.%f")[:-3]


# -- processes ---------------------------------------------------------------------

def start_time(pid: int) -> int | None:
    """The process's start time (field 22 of /proc/PID/stat): tells a reused pid apart."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()
    return None if rest[0] in "ZX" else int(rest[19])


def children(pid: int) -> dict[int, int]:
    """The direct children of ``pid`` (the daemon's analysis workers), as pid -> start time."""
    try:
        pids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return {}
    return {c: t for c in pids if (t := start_time(c)) is not None}


class Daemon:
    """One `mailbot -v run`; its output appended to the log; its ``ready:`` line noticed."""

    def __init__(self, settings: Path, log: Path, env: dict[str, str]):
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-m", "mailbot", "-v", "--settings", str(settings), "run"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid
        self.launched = time.monotonic()
        self.ready_at: float | None = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with open(self.log, "ab", buffering=0) as out:
            out.write(f"===== daemon pid {self.pid} launched =====\n".encode())
            for line in self.proc.stdout:
                out.write(line)
                if self.ready_at is None and line.startswith(b"ready:"):
                    self.ready_at = time.monotonic()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def sigkill(self) -> dict[int, int]:
        """SIGKILL by pid and reap; returns the workers it had (to check that they die with it)."""
        workers = children(self.pid)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()
        self.reader.join(5)
        return workers

    def sigterm(self, timeout: float = 30) -> int | None:
        """SIGTERM as an operator would; its exit status (None: it had to be SIGKILLed)."""
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.sigkill()
                return None
        self.reader.join(5)
        return self.proc.returncode


def reap_orphans(workers: dict[int, int], timeout: float = 5.0) -> list[int]:
    """Wait for a killed daemon's workers to die (PDEATHSIG); SIGKILL by pid those still alive."""
    deadline = time.monotonic() + timeout
    left = workers
    while left and time.monotonic() < deadline:
        left = {p: t for p, t in left.items() if start_time(p) == t}
        time.sleep(0.02)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return sorted(left)


# -- the data ----------------------------------------------------------------------

class Ledger:
    """A reading connection to the bot's database (WAL: it never blocks the daemon)."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)

    def value(self, sql: str, *args) -> int:
        for attempt in range(20):
            try:
                return self.db.execute(sql, args).fetchone()[0]
            except sqlite3.OperationalError:
                if attempt == 19:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def rows(self) -> int:
        return self.value("select count(*) from messages")

    def decided(self) -> int:
        return self.value("select count(*) from messages where state = 'decided'")

    def outgoing(self) -> int:
        """Outbox rows that go or went out without a person."""
        return self.value("select count(*) from outbox where state in ('pending', 'held', 'sent', 'unconfirmed')")

    def waiting_replies(self) -> int:
        return self.value("select count(*) from outbox where state in ('pending', 'held')")

    def query(self, sql: str, *args) -> list[dict]:
        cur = self.db.execute(sql, args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def folder_contents(dovecot: Dovecot) -> dict[str, list[str]]:
    """Every folder of the bot's mailbox -> the Message-IDs (bare) of the messages in it."""
    found = {}
    with dovecot.client(BOT) as c:
        for flags, _sep, name in c.list_folders():
            name = name.decode() if isinstance(name, bytes) else name
            if any(f.lower() in (b"\\noselect", b"\\nonexistent") for f in flags):
                continue  # "Bot", the parent of Bot/Processed...: holds no messages
            c.select_folder(name, readonly=True)
            uids = sorted(c.search("ALL"))
            ids = []
            for i in range(0, len(uids), 500):
                batch = c.fetch(uids[i:i + 500], ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
                for uid in sorted(batch):
                    raw = next(v for k, v in batch[uid].items() if k.startswith(b"BODY"))
                    ids.append(bare(headers(raw)["Message-ID"]))
            found[name] = ids
    return found


def inbox_empty(dovecot: Dovecot) -> bool:
    try:
        return dovecot.uids(BOT, "INBOX") == []
    except Exception:  # noqa: BLE001 - Dovecot may be restarting
        return False


# -- the run -----------------------------------------------------------------------

def plan_kills(rng: random.Random, kills: int) -> list[tuple[str, float]]:
    """("progress", 0) or ("restart", seconds after ready), in firing order."""
    kinds = ["restart" if rng.random() < 0.25 else "progress" for _ in range(kills)]
    return [(k, rng.uniform(0.01, 0.3) if k == "restart" else 0.0) for k in kinds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smtp-outage", type=float, default=20.0, help="seconds the SMTP server is down")
    parser.add_argument("--batch-size", type=int, default=20, help="[mailbox] batch_size")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the end")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, log)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n = args.messages
    cut = CutTransactions()
    smtp_log = logging.getLogger("mail.log")  # aiosmtpd's logger
    smtp_log.setLevel(logging.INFO)
    smtp_log.propagate = False
    smtp_log.addHandler(cut)

    raws = messages(n)
    plan = plan_kills(rng, args.kills)
    dovecot_at = rng.randint(int(0.5 * n), max(int(0.5 * n), int(0.8 * n)))
    outage_at = rng.randint(int(0.15 * n), max(int(0.15 * n), int(0.45 * n)))
    say(f"plan: {n} messages, {args.kills} kills "
        f"({sum(k == 'progress' for k, _ in plan)} at points of the work, {sum(k == 'restart' for k, _ in plan)} "
        f"in the recovery pass), Dovecot crash at ledger {dovecot_at}, SMTP outage of {args.smtp_outage:g} s "
        f"from ledger {outage_at}, batch_size {args.batch_size}, seed {args.seed}")

    tmp = Path(tempfile.mkdtemp(prefix="mailbot-faults-", dir="/dev/shm"))
    os.chmod(tmp, 0o755)  # Dovecot's mail processes (uid 5000) must get through it
    dovecot = smtp = daemon = None
    orphans: list[int] = []
    try:
        dovecot = Dovecot(tmp / "dovecot").start()
        smtp = SmtpServer().start()
        uid_of: dict[str, str] = {}  # UID in INBOX -> bare Message-ID
        for start in range(0, n, 500):
            chunk = raws[start:start + 500]
            for i, uid in enumerate(dovecot.multiappend(BOT, "INBOX", chunk)):
                uid_of[str(uid)] = f"fault-{start + i}@bench"
        uidvalidity = dovecot.uidvalidity(BOT, "INBOX")
        settings = write_imap_settings(tmp, dovecot, smtp.port, batch_size=args.batch_size, poll_seconds=1,
                                       timeout_seconds=5)
        os.environ.setdefault(PASSWORD_ENV, "botpw")
        import_sample_directory(settings)
        db_path = load_settings(settings).resolve(load_settings(settings).database.path)
        ledger = Ledger(db_path)
        env = mailbot_env()
        log = tmp / "daemon.log"
        say(f"{n} messages appended to INBOX (UIDVALIDITY {uidvalidity}); sample directory imported; "
            f"database {db_path}; daemon log {log}")

        started = time.monotonic()
        daemon = Daemon(settings, log, env)
        at_launch = (0, 0)
        kills_made, skipped, unexpected, kill_notes, kill_times = 0, [], [], [], []
        armed_at: float | None = None
        target: float | None = None  # the work at which the next progress kill fires
        work = 2.2 * n
        dovecot_done = outage_done = False
        dovecot_note = outage_note = "did not happen"
        outage_started: float | None = None
        outage_wall: float | None = None
        last_report = time.monotonic()
        finished = False

        def busy() -> bool:
            return ledger.rows() < n or ledger.decided() > 0 or ledger.waiting_replies() > 0

        while True:
            now = time.monotonic()
            rows, received = ledger.rows(), len(smtp.messages)
            if now - started > args.timeout:
                say(f"timeout after {args.timeout:g} s")
                break
            if not daemon.alive():
                code = daemon.proc.returncode
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                unexpected.append((daemon.pid, code))
                say(f"daemon pid {daemon.pid} exited by itself with status {code}; restarting. Log tail:\n{tail}")
                orphans += reap_orphans(children(daemon.pid))
                daemon = Daemon(settings, log, env)
                at_launch, armed_at = (rows, received), None
                continue
            # the SMTP outage: starts at a ledger count, lasts args.smtp_outage seconds
            if not outage_done and outage_started is None and rows >= outage_at:
                outage_wall = time.time()
                smtp.stop()
                outage_started = time.monotonic()
                outage_note = f"SMTP down at ledger {rows}, {received} messages received"
                say(f"SMTP server stopped (port {smtp.port}) at ledger {rows}/{n}, {received} received")
                continue
            if outage_started is not None and now - outage_started >= args.smtp_outage:
                port = smtp.port
                smtp.start()
                assert smtp.port == port
                outage_note += f"; back after {time.monotonic() - outage_started:.1f} s on the same port {port}"
                say(f"SMTP server started again on port {port} after {now - outage_started:.1f} s "
                    f"(ledger {rows}/{n})")
                outage_started, outage_done = None, True
                continue
            # the Dovecot crash
            if not dovecot_done and rows >= dovecot_at:
                down = rng.uniform(0.5, 2.0)
                dovecot.kill()
                killed_at = time.monotonic()
                time.sleep(down)
                dovecot.restart()
                dovecot_done = True
                dovecot_note = (f"killed at ledger {rows}, {received} received; restarted "
                                f"{time.monotonic() - killed_at:.1f} s later on port {dovecot.port}")
                say(f"Dovecot crash: {dovecot_note}")
                continue
            # the kills
            if kills_made + len(skipped) < len(plan):
                kind, value = plan[kills_made + len(skipped)]
                moved = (rows, received) != at_launch
                ready = daemon.ready_at is not None or moved
                if armed_at is None and ready:
                    since = daemon.ready_at or now
                    if kind == "restart":
                        armed_at = since + value
                    else:
                        done = rows + received
                        work = n + n * ledger.outgoing() / rows if rows else 2.2 * n
                        if target is None:
                            kills_left = len(plan) - kills_made - len(skipped)
                            target = done + rng.uniform(0.2, 1.8) * max(work - done, 0) / (kills_left + 1)
                        if done >= target:
                            armed_at = now + rng.uniform(0.0, 0.02)
                if armed_at is not None and now >= armed_at:
                    armed_at = None
                    number = kills_made + len(skipped) + 1
                    if not busy():
                        target = None
                        skipped.append(f"kill {number} ({kind}): nothing left to process")
                        say(f"kill {number}/{len(plan)} skipped: nothing left to process")
                        continue
                    after = f"{now - daemon.ready_at:.2f} s after ready" if daemon.ready_at else "before ready"
                    old = daemon.pid
                    kill_times.append(time.time())
                    workers = daemon.sigkill()
                    kills_made += 1
                    rows, received = ledger.rows(), len(smtp.messages)
                    at = f" at work {target:.0f} of ~{work:.0f}" if kind == "progress" else ""
                    target = None
                    note = (f"kill {number}/{len(plan)} ({kind}{at}): "
                            f"SIGKILL pid {old} at {utc(kill_times[-1])} UTC {after}, ledger {rows}/{n}, "
                            f"decided {ledger.decided()}, replies waiting {ledger.waiting_replies()}, "
                            f"SMTP received {received}")
                    left = reap_orphans(workers)
                    if left:
                        orphans += left
                        note += f"; workers {left} outlived it (SIGKILLed)"
                    kill_notes.append(note)
                    say(note)
                    daemon = Daemon(settings, log, env)
                    at_launch = (rows, received)
                    continue
            all_faults = (kills_made + len(skipped) == len(plan) and dovecot_done and outage_done)
            if all_faults and not busy() and inbox_empty(dovecot):
                finished = True
                break
            if now - last_report >= 5:
                last_report = now
                say(f"ledger {rows}/{n}, decided {ledger.decided()}, replies waiting {ledger.waiting_replies()}, "
                    f"SMTP received {received}, kills {kills_made}/{len(plan)}")
            time.sleep(POLL if not all_faults else 0.25)

        wall = time.monotonic() - started
        time.sleep(0.5)
        status = daemon.sigterm()
        say(f"daemon stopped with SIGTERM: exit status {status}")
        report(args, n, ledger, smtp, dovecot, uid_of, wall, finished, kills_made, skipped, kill_notes, orphans,
               unexpected, dovecot_note, outage_note, status, db_path, log, cut.times, kill_times, outage_wall)
    finally:
        if daemon is not None and daemon.alive():
            orphans += reap_orphans(daemon.sigkill())
        if smtp is not None:
            smtp.stop()
        if dovecot is not None:
            dovecot.stop()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(args, n, ledger, smtp, dovecot, uid_of, wall, finished, kills_made, skipped, kill_notes, orphans,
           unexpected, dovecot_note, outage_note, status, db_path, log, cut_times, kill_times, outage_wall) -> None:
    ours = set(uid_of.values())
    rows = ledger.query("select id, uid, uidvalidity, message_id, action, state, destination, case_ref, error "
                        "from messages order by id")
    outbox = ledger.query("select id, message_row, kind, state, attempts, message_id, last_error, created_at, "
                          "sent_at from outbox order by id")
    # A ledger row is ours by its UID (a quarantined row has no Message-ID), else by its Message-ID.
    rows_of: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        mid = uid_of.get(str(row["uid"])) or bare(row["message_id"])
        row["ours"] = mid
        rows_of[mid].append(row)
    outbox_of_row: dict[int, list[dict]] = defaultdict(list)
    for o in outbox:
        outbox_of_row[o["message_row"]].append(o)

    received = smtp.messages
    replies_by_parent: Counter = Counter()
    forwards = 0
    received_ids: Counter = Counter()
    for r in received:
        h = headers(r.raw)
        received_ids[bare(h["Message-ID"])] += 1
        if (h["Auto-Submitted"] or "").strip() == "auto-replied":
            replies_by_parent[bare(h["In-Reply-To"])] += 1
        else:
            forwards += 1
    replies = sum(replies_by_parent.values())

    def action_of(mid: str) -> str | None:
        actions = [r["action"] for r in rows_of.get(mid, []) if r["state"] != "duplicate"]
        return actions[0] if actions else None

    def reply_rows(mid: str) -> list[dict]:
        return [o for r in rows_of.get(mid, []) for o in outbox_of_row[r["id"]] if o["kind"] != "forward"]

    quarantined = {mid for mid in ours if any(r["state"] == "quarantined" for r in rows_of.get(mid, []))}
    review = {mid for mid in ours if any(r["destination"] == "review" for r in rows_of.get(mid, []))}
    wants = {mid for mid in ours if action_of(mid) in REPLY_ACTIONS and mid not in quarantined}
    drafts = {mid for mid in wants if reply_rows(mid) and all(o["state"] in ("draft", "shadow")
                                                              for o in reply_rows(mid))}
    expected = wants - drafts
    lost = sorted((mid for mid in expected if replies_by_parent[mid] == 0), key=lambda m: int(m[6:-6]))
    unanswered_extra = {mid for mid in replies_by_parent if mid not in ours}
    no_ledger = sorted((mid for mid in ours if mid not in rows_of), key=lambda m: int(m[6:-6]))
    duplicated = sorted((mid for mid, k in replies_by_parent.items() if k > 1))
    sent_twice = sorted(mid for mid, k in received_ids.items() if k > 1)

    folders = folder_contents(dovecot)
    copies: Counter = Counter(mid for ids in folders.values() for mid in ids)
    inbox_left = sorted(set(folders.get("INBOX", [])) & ours)
    vanished = sorted(mid for mid in ours if copies[mid] == 0)
    copied_twice = sorted(mid for mid in ours if copies[mid] > 1)

    states = Counter(r["state"] for r in rows)
    actions = Counter(r["action"] for r in rows)
    outbox_states = Counter((o["kind"], o["state"]) for o in outbox)
    decided = [r for r in rows if r["state"] == "decided"]
    stuck_outbox = [o for o in outbox if o["state"] in STUCK_OUTBOX]
    sent_not_received = [o for o in outbox if o["state"] == "sent" and bare(o["message_id"]) not in received_ids]
    outbox_by_mid = {bare(o["message_id"]): o for o in outbox}
    received_not_sent = sorted(mid for mid in received_ids
                               if mid in outbox_by_mid and outbox_by_mid[mid]["state"] != "sent")
    received_unknown = sorted(mid for mid in received_ids if mid not in outbox_by_mid)

    def detail(mid: str) -> str:
        lines = [f"    <{mid}>: replies received {replies_by_parent[mid]}, copies in folders "
                 f"{ {f: ids.count(mid) for f, ids in folders.items() if mid in ids} }"]
        for r in rows_of.get(mid, []):
            lines.append(f"      ledger id {r['id']} uid {r['uid']} action {r['action']} state {r['state']} "
                         f"destination {r['destination']} case {r['case_ref']} error {r['error']}")
            for o in outbox_of_row[r["id"]]:
                lines.append(f"        outbox id {o['id']} kind {o['kind']} state {o['state']} attempts "
                             f"{o['attempts']} created {o['created_at']} sent {o['sent_at']} "
                             f"error {o['last_error']} message-id {o['message_id']}")
        return "\n".join(lines)

    def listed(mids, limit=20) -> str:
        mids = list(mids)
        more = f"\n    ... and {len(mids) - limit} more" if len(mids) > limit else ""
        return "".join("\n" + detail(m) for m in mids[:limit]) + more

    print()
    print("=" * 78)
    print(f"faults benchmark: --messages {args.messages} --kills {args.kills} --seed {args.seed} "
          f"--smtp-outage {args.smtp_outage:g} --batch-size {args.batch_size}")
    print(f"finished: {'yes' if finished else 'NO (timeout)'}; wall time {wall:.1f} s from the first launch; "
          f"daemon's exit status on SIGTERM {status}")
    print(f"appended:        {n}")
    print(f"handled:         {len(rows)} ledger rows for {sum(1 for m in ours if m in rows_of)} of our messages; "
          f"states {dict(states)}; actions {dict(actions)}")
    print(f"expected reply:  {len(expected)} (ledger action acknowledge/request_info, not quarantined); "
          f"kept as drafts {len(drafts)}")
    print(f"review:          {len(review)}; quarantined {len(quarantined)}"
          + "".join(f"\n    quarantined <{m}>: {[r['error'] for r in rows_of[m]]}" for m in sorted(quarantined)))
    print(f"SMTP received:   {len(received)} messages: {replies} replies to customers "
          f"(to {len(replies_by_parent)} distinct messages), {forwards} forwards to colleagues")
    print(f"LOST:            {len(lost)} expected a reply and got none; {len(inbox_left)} left in the INBOX; "
          f"{len(no_ledger)} with no ledger row" + listed(lost) + listed(m for m in inbox_left if m not in lost)
          + listed(m for m in no_ledger if m not in lost and m not in inbox_left))
    print(f"DUPLICATED:      {len(duplicated)} customer messages with more than one reply; "
          f"{len(sent_twice)} Message-IDs received twice or more (replies and forwards)"
          + listed(duplicated) + "".join(f"\n    received {received_ids[m]}x: <{m}>" for m in sent_twice[:20]))
    print(f"STUCK:           {len(decided)} ledger rows 'decided'; outbox {len(stuck_outbox)} rows "
          f"pending/held/unconfirmed {dict(Counter(o['state'] for o in stuck_outbox))}"
          + listed(sorted({r['ours'] for r in decided}))
          + "".join(f"\n    outbox id {o['id']} kind {o['kind']} state {o['state']} row {o['message_row']} "
                    f"error {o['last_error']}" for o in stuck_outbox[:20]))
    print(f"outbox:          {len(outbox)} rows by (kind, state): "
          f"{ {f'{k}/{s}': c for (k, s), c in sorted(outbox_states.items())} }")
    print(f"cross-checks:    outbox 'sent' but never received: {len(sent_not_received)}; received but outbox "
          f"not 'sent': {len(received_not_sent)}; received with no outbox row: {len(received_unknown)}; "
          f"replies to messages not ours: {len(unanswered_extra)}"
          + "".join(f"\n    sent, not received: outbox id {o['id']} kind {o['kind']} ledger row {o['message_row']} "
                    f"sent_at {o['sent_at']}; kills in that second: "
                    f"{[utc(k) for k in kill_times if utc(k)[:8] == (o['sent_at'] or '')[11:19]]}\n"
                    + detail(next((r['ours'] for r in rows if r['id'] == o['message_row']), '?'))
                    for o in sent_not_received[:20])
          + "".join(f"\n    received, outbox {outbox_by_mid[m]['state']}: outbox id {outbox_by_mid[m]['id']}"
                    for m in received_not_sent[:20]))
    after_kill = [t for t in cut_times if any(0 <= t - k <= 0.5 for k in kill_times)]
    at_stop = [t for t in cut_times if outage_wall is not None and 0 <= t - outage_wall <= 0.5]
    print(f"cut mid-DATA:    {len(cut_times)} SMTP transactions discarded by the server (connection ended "
          f"before it had read the final dot): {len(after_kill)} within 0.5 s after a kill, "
          f"{len(at_stop)} at the SMTP stop" + "".join(f"\n    at {utc(t)} UTC" for t in cut_times[:20]))
    print(f"folders:         { {f: len(ids) for f, ids in sorted(folders.items()) if ids} } "
          f"= {sum(len(ids) for ids in folders.values())} messages; of ours: {len(vanished)} in no folder, "
          f"{len(copied_twice)} in more than one copy" + listed(vanished) + listed(copied_twice))
    print(f"kills:           {kills_made} made of {args.kills} planned"
          + (f"; skipped: {skipped}" if skipped else "")
          + f"; workers that outlived their daemon: {len(orphans)}; unexpected daemon exits: {len(unexpected)}"
          + "".join(f" (pid {p} status {c})" for p, c in unexpected))
    print(f"Dovecot restart: {dovecot_note}")
    print(f"SMTP outage:     {outage_note}")
    if args.keep:
        print(f"kept:            database {db_path}; daemon log {log}")


if __name__ == "__main__":
    main()
