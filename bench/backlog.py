"""Benchmark: a backlog of N messages through the real daemon, then IDLE latency.

Starts a fresh Dovecot and an aiosmtpd server on 127.0.0.1 (the test harness),
appends N messages (default 5,000, cycled from the bundled samples, each a
separate request: fresh Message-ID, its own sender at the sample's domain),
imports the sample directory, runs `mailbot run` as a separate process until
the inbox is empty and every reply to a customer is at the SMTP server (the
forwards of complete cases to colleagues are sent in the same passes and
counted apart), and prints messages/s, the
daemon's peak memory (VmHWM) and, for comparison, analyze-only throughput on
the same messages in this process. Then, with the daemon idling, it appends 50
single messages one at a time and prints the median and p95 latency from
APPEND to the reply accepted by the SMTP server.

    .venv/bin/python bench/backlog.py [--messages 5000] [--latency 50]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.read.analyze import analyze  # noqa: E402
from mailbot.paths import SAMPLE_DIRECTORY, SAMPLES_DIR  # noqa: E402
from tests.support import AUTHSERV_ID, BOT, PASSWORD_ENV, another_request, write_imap_settings  # noqa: E402
from tests.servers import Dovecot, SmtpServer  # noqa: E402

OWN = ("contrats.service.wfps@cf.canon.fr",)


def messages(count: int, tag: str, pattern: str = "*.eml") -> list[bytes]:
    """``count`` separate requests cycled from the samples (each from its own sender)."""
    samples = [p.read_bytes() for p in sorted(SAMPLES_DIR.glob(pattern))]
    return [another_request(samples[i % len(samples)], f"{tag}-{i}@bench") for i in range(count)]


def replies(smtp) -> int:
    """Messages the SMTP server got for customers (forwards go to colleagues at cf.canon.fr)."""
    return sum(not r.rcpt_tos[0].endswith("@cf.canon.fr") for r in smtp.messages)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workers_of(pid: int) -> list[int]:
    """The daemon's child processes (its analysis workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of these processes together: shared pages (the forked workers
    share the daemon's language model) counted once, unlike the sum of their RSS."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def startup_seconds(settings: Path, env: dict) -> float:
    """What launching costs: `mailbot once` against the now empty inbox (best of 3)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), "once"],
                       env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    print(f"\r  {label}: {done}/{total} ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--latency", type=int, default=50, help="single messages for IDLE latency")
    args = parser.parse_args()

    backlog = messages(args.messages, "backlog")
    started = time.perf_counter()
    results = [analyze(raw, own_addresses=OWN, authserv_id=AUTHSERV_ID) for raw in backlog]
    analyze_rate = len(backlog) / (time.perf_counter() - started)
    expected_replies = sum(r.action in ("acknowledge", "request_info") for r in results)
    print(f"analyze only (this process): {analyze_rate:,.0f} messages/s over {len(backlog)}")

    with tempfile.TemporaryDirectory(prefix="mailbot-bench-", dir="/dev/shm") as tmp:
        tmp = Path(tmp)
        with Dovecot(tmp / "dovecot") as dovecot, SmtpServer() as smtp:
            for start in range(0, len(backlog), 500):
                dovecot.multiappend(BOT, "INBOX", backlog[start:start + 500])
            settings = write_imap_settings(tmp, dovecot, smtp.port, batch_size=200, poll_seconds=30,
                                           timeout_seconds=30)
            env = {**os.environ, PASSWORD_ENV: "botpw"}
            # The sample directory knows the samples' senders: their sensitive requests are
            # acknowledged, as analyze decided above (without it they would wait in review).
            subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), "directory",
                            "import", str(SAMPLE_DIRECTORY)], env=env, check=True, capture_output=True)
            started = time.perf_counter()
            daemon = subprocess.Popen([sys.executable, "-m", "mailbot", "--settings", str(settings), "run"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            try:
                while replies(smtp) < expected_replies or dovecot.uids(BOT, "INBOX"):
                    if daemon.poll() is not None:
                        raise SystemExit(f"daemon exited: {daemon.stderr.read().decode()}")
                    progress("backlog replies", replies(smtp), expected_replies, started)
                    time.sleep(0.1)
                elapsed = time.perf_counter() - started
                print(file=sys.stderr)
                rate = len(backlog) / elapsed
                peak = peak_rss_mb(daemon.pid)
                workers = workers_of(daemon.pid)
                worker_peaks = ", ".join(f"{peak_rss_mb(w):.0f}" for w in workers) or "none"
                together = pss_mb([daemon.pid, *workers])
                startup = startup_seconds(settings, env)
                steady = len(backlog) / (elapsed - startup)
                print(f"backlog: {len(backlog)} messages, {replies(smtp)} replies and "
                      f"{len(smtp.messages) - replies(smtp)} forwards in {elapsed:.1f} s "
                      f"= {rate:,.0f} messages/s from the daemon's launch "
                      f"({rate / analyze_rate:.0%} of analyze-only); without the {startup:.2f} s start-up "
                      f"(`mailbot once` on an empty inbox): {steady:,.0f} messages/s "
                      f"({steady / analyze_rate:.0%}); daemon peak RSS {peak:.0f} MB, its {len(workers)} analysis "
                      f"workers' {worker_peaks} MB; daemon and workers together {together:.0f} MB (PSS, now)")

                latencies = []
                for i, raw in enumerate(messages(args.latency, "latency", "po_change.eml")):
                    before = len(smtp.messages)
                    time.sleep(0.2)  # let the daemon go back to IDLE
                    sent = time.time()
                    dovecot.append(BOT, "INBOX", raw)
                    [*_, reply] = smtp.wait_for(before + 1, timeout=30)
                    latencies.append(reply.when - sent)
                    progress("latency samples", i + 1, args.latency, started)
                print(file=sys.stderr)
                latencies.sort()
                p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
                print(f"IDLE latency over {len(latencies)} messages: median {statistics.median(latencies):.3f} s, "
                      f"p95 {p95:.3f} s (APPEND to reply accepted by SMTP; Dovecot's own IDLE push ~0.5 s)")
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=30)


if __name__ == "__main__":
    main()
