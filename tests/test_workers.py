"""Analysis in worker processes: order kept, a message over its budget stopped
and quarantined, a dead worker replaced, nothing left running."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mailbot.read.analysis import Analysis
from mailbot.read.analyze import analyze
from mailbot.config import parse_settings
from mailbot.paths import SAMPLES_DIR
from mailbot.app import App
from mailbot.read.rules import load_rules
from mailbot.mail.sources import Incoming
from mailbot.store import MessageKey
from mailbot.service.workers import InProcess, Overrun, Pool
from tests.support import maildir_processor

pytestmark = pytest.mark.timing  # wall-clock bounds: run apart from the parallel part (Makefile)

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def fake_analyze(raw: bytes, **options) -> Analysis:
    """Reads the message's word: SLOW sleeps past any budget, DIE kills its worker."""
    if raw.startswith(b"SLOW"):
        time.sleep(30)
    if raw.startswith(b"DIE"):
        os._exit(3)
    return Analysis(subject=raw.decode(), sender=f"pid {os.getpid()}")


def item(i: int, raw: bytes) -> Incoming:
    return Incoming(MessageKey("box", 1, str(i)), raw, label=f"m{i}")


@pytest.fixture
def pool():
    workers = Pool(2, 1.0, fake_analyze, {})
    yield workers
    workers.close()


def test_results_come_back_in_order_from_both_workers(pool):
    raws = [f"message {i}".encode() for i in range(40)]
    results = list(pool.map(item(i, raw) for i, raw in enumerate(raws)))
    assert [r.subject for _, r in results] == [raw.decode() for raw in raws]
    assert len({r.sender for _, r in results}) == 2, "both workers took messages"
    assert all(r.sender != f"pid {os.getpid()}" for _, r in results), "none was analysed in this process"


def test_a_message_over_its_budget_is_stopped_and_the_next_ones_go_on(pool):
    started = time.monotonic()
    results = list(pool.map(item(i, raw) for i, raw in enumerate([b"first", b"SLOW", b"third", b"fourth"])))
    elapsed = time.monotonic() - started
    assert [type(r).__name__ for _, r in results] == ["Analysis", "Overrun", "Analysis", "Analysis"]
    assert results[1][1].why == "analysis took over 1 s: stopped"
    assert [r.subject for _, r in results if isinstance(r, Analysis)] == ["first", "third", "fourth"]
    assert elapsed < 5, f"{elapsed:.1f} s: the slow message must not hold up the others"
    assert pool.replaced == 1
    assert [r.subject for _, r in pool.map([item(9, b"after")])] == ["after"], "the replacement works"


def test_a_worker_that_dies_is_replaced_and_its_message_reported(pool):
    results = list(pool.map(item(i, raw) for i, raw in enumerate([b"one", b"DIE", b"three"])))
    assert isinstance(results[1][1], Overrun) and "died" in results[1][1].why
    assert [r.subject for _, r in results if isinstance(r, Analysis)] == ["one", "three"]
    assert pool.replaced >= 1


def test_an_unreadable_message_is_passed_through_without_analysis(pool):
    broken = Incoming(MessageKey("box", 1, "x"), b"", label="x", error="FETCH failed")
    assert list(pool.map([broken])) == [(broken, None)]


def test_close_leaves_no_process_behind():
    pool = Pool(2, 5.0, fake_analyze, {})
    processes = [w.process for w in pool.workers]
    list(pool.map([item(1, b"a")]))
    pool.close()
    assert not any(p.is_alive() for p in processes)


def test_stopping_in_the_middle_replaces_the_busy_workers(pool):
    results = pool.map(item(i, raw) for i, raw in enumerate([b"a", b"SLOW", b"SLOW", b"d"]))
    assert next(results)[1].subject == "a"
    started = time.monotonic()
    results.close()  # the daemon stops: what is in flight is abandoned
    assert time.monotonic() - started < 5
    assert [r.subject for _, r in pool.map([item(5, b"e")])] == ["e"], "no stale result comes back"


def test_the_real_analysis_gives_the_same_result_in_a_worker():
    raw = (SAMPLES_DIR / "po_change.eml").read_bytes()
    options = {"own_addresses": ("contrats.service.wfps@cf.canon.fr",), "timezone": "Europe/Paris"}
    pool = Pool(1, 30.0, analyze, options)
    try:
        [(_, remote)] = list(pool.map([item(1, raw)]))
    finally:
        pool.close()
    [(_, local)] = list(InProcess(analyze, options).map([item(1, raw)]))
    assert remote.as_dict() == local.as_dict()


def test_the_processor_quarantines_a_message_over_budget(tmp_path: Path):
    app = App.build(parse_settings({}, tmp_path / "settings.toml"), rules=load_rules(), model=None)
    pool = Pool(1, 1.0, fake_analyze, app.analysis_options())
    processor, store, inbox = maildir_processor(tmp_path, analyze=fake_analyze, analyses=pool, clock=lambda: NOW)
    for name, raw in (("a", b"SLOW"), ("b", b"quick")):
        (inbox / "new" / name).write_bytes(raw)
    try:
        assert processor.run_once() == 2
        rows = {r["uid"]: r for r in store.db.query("select uid, destination, error from messages")}
        assert rows["a"]["destination"] == "quarantine"
        assert rows["a"]["error"] == "AnalysisOverrun: analysis took over 1 s: stopped"
        assert rows["b"]["destination"] != "quarantine"
        assert len(list((tmp_path / "in" / ".Bot.Quarantine" / "cur").iterdir())) == 1
    finally:
        pool.close()
        store.close()


def test_a_stop_abandons_the_message_in_flight_at_once_and_starts_no_worker():
    pool = Pool(1, 30.0, fake_analyze, {})
    try:
        started = time.monotonic()
        stopping = lambda: time.monotonic() - started > 1.0  # noqa: E731 - SIGTERM a second in
        assert list(pool.map([item(1, b"SLOW"), item(2, b"next")], stopping=stopping)) == []
        assert time.monotonic() - started < 3, "the slow message (30 s) is not waited for"
        assert pool.workers == [None], "the busy worker was stopped, no new one started while stopping"
        assert [r.subject for _, r in pool.map([item(3, b"later")])] == ["later"], "one starts when needed"
    finally:
        pool.close()


def test_a_worker_holds_none_of_the_daemons_connections():
    import socket

    left, right = socket.socketpair()  # stands for the daemon's IMAP and SMTP connections
    pool = Pool(1, 5.0, fake_analyze, {})
    try:
        list(pool.map([item(1, b"a")]))
        worker = pool.workers[0].process.pid
        theirs = {os.readlink(f"/proc/{worker}/fd/{fd}") for fd in os.listdir(f"/proc/{worker}/fd")}
        mine = {os.readlink(f"/proc/self/fd/{s.fileno()}") for s in (left, right)}
        assert not theirs & mine
    finally:
        pool.close()
        left.close()
        right.close()


def test_workers_die_with_the_daemon():
    import signal
    import subprocess
    import sys

    code = ("import sys, time; sys.path.insert(0, '.');"
            "from tests.test_workers import fake_analyze; from mailbot.service.workers import Pool;"
            "pool = Pool(2, 5.0, fake_analyze, {}); print(*[w.process.pid for w in pool.workers], flush=True);"
            "time.sleep(60)")
    daemon = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    try:
        pids = [int(p) for p in daemon.stdout.readline().split()]
        assert len(pids) == 2
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and
                                                  "Z" not in Path(f"/proc/{p}/stat").read_text().split()[2]
                                                  for p in pids):
            time.sleep(0.05)
        alive = [p for p in pids if Path(f"/proc/{p}").exists()
                 and "Z" not in Path(f"/proc/{p}/stat").read_text().split()[2]]
        assert alive == [], "no worker outlives the daemon"
    finally:
        if daemon.poll() is None:
            daemon.kill()
