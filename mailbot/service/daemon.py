"""The long-running loop: connect, drain the inbox, wait for news, repeat.

Only the edges can fail for reasons outside a message (a server down, a
dropped connection); those are retried with exponential backoff and jitter and
logged, never a crash. A refused login or a wrong setting is final and ends
the program with a clear line. SIGTERM/SIGINT set a flag: the current message
is finished, then the loop stops.
"""

from __future__ import annotations

import logging
import random
import signal
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from mailbot.mail.outbox import Outbox
from mailbot.app import App
from mailbot.service.decisions import Outcome
from mailbot.service.processor import Processor, situation_folders
from mailbot.mail.senders import Sender, open_sender
from mailbot.mail.sources import SourceUnavailable, open_source
from mailbot.mail.sources.imap import CONNECTION_ERRORS
from mailbot.store import LocalProblem, Store, is_local_problem
from mailbot.service.workers import Analyses, InProcess, Pool

log = logging.getLogger("mailbot.service.daemon")

RETRYABLE = (SourceUnavailable, *CONNECTION_ERRORS)
# A full disk or a read-only database: tried again with backoff (1 s, 2 s … 60 s, with jitter) for two
# to four minutes while the daemon runs, then LocalProblem (exit status 3).
LOCAL_ATTEMPTS = 10
LOCAL_BACKOFF_CAP = 60.0
MODE_WORDS = {"auto": "replies go out at once", "draft": "replies wait for `mailbot outbox release`",
              "shadow": "decides and records, sends and moves nothing"}


class Backoff:
    """1 s, 2 s, 4 s … capped, with jitter so that restarts do not stampede."""

    def __init__(self, first: float = 1.0, cap: float = 60.0, rng: random.Random | None = None):
        self.first, self.cap, self.attempt = first, cap, 0
        self.rng = rng or random.Random()

    def next(self) -> float:
        delay = min(self.cap, self.first * 2 ** self.attempt)
        self.attempt += 1
        return delay * (0.5 + self.rng.random() / 2)

    def reset(self) -> None:
        self.attempt = 0


@dataclass
class Retries:
    """Failures of one kind in a row: each waits longer (``backoff``), and after ``attempts`` (None:
    never) ``give_up`` is raised with the trouble. A completed pass resets it."""

    give_up: type[Exception]
    doing: str  # what the log says happens next: "reconnecting", "trying again"
    level: int
    attempts: int | None
    backoff: Backoff = field(default_factory=Backoff)

    def failed(self, trouble: str, stop: threading.Event) -> None:
        failures = self.backoff.attempt + 1
        if self.attempts is not None and failures >= self.attempts:
            raise self.give_up(trouble + (f" (gave up after {failures} attempts)" if failures > 1 else ""))
        delay = self.backoff.next()
        log.log(self.level, "%s; %s in %.1f s", trouble, self.doing, delay)
        stop.wait(delay)

    def reset(self) -> None:
        self.backoff.reset()


@contextmanager
def stop_on_signals(stop: threading.Event):
    """SIGTERM and SIGINT set ``stop`` instead of killing mid-message."""
    def handler(signum, frame):
        log.info("signal %s received: finishing the current message, then stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass
class Service:
    """The parts of a running mailbot, built from the settings."""

    processor: Processor
    sender: Sender
    store: Store
    analyses: Analyses

    def close(self) -> None:
        self.analyses.close()
        self.sender.close()
        self.store.close()


def assemble(app: App, analyze: Callable, *, on_outcome: Callable[[Outcome], None] | None = None) -> Service:
    """Wire source, store, sender and outbox as the app's settings say."""
    settings, rules = app.settings, app.rules
    sender = open_sender(settings)
    store = app.open_store()
    options = app.analysis_options()
    workers = settings.analysis.workers
    analyses = (Pool(workers, settings.analysis.budget_seconds, analyze, options) if workers
                else InProcess(analyze, options))
    source = open_source(settings, situation_folders(settings, rules))
    processor = Processor(app=app, source=source, store=store, outbox=Outbox(store, sender, now=app.clock), analyze=analyze,
                          on_outcome=on_outcome, analyses=analyses)
    return Service(processor, sender, store, analyses)


def describe(settings) -> dict[str, str]:
    """What the operator is told when the daemon is ready: where it reads, where it sends, its mode."""
    box, smtp = settings.mailbox, settings.smtp
    reads = (f"imap://{box.username}@{box.host}:{box.port}/{box.folder}" if box.kind == "imap"
             else f"Maildir {settings.resolve(box.path)}")
    sends = (f"smtp {smtp.host}:{smtp.port}" if smtp.kind == "smtp"
             else f"Maildir {settings.resolve(smtp.path)}")
    overrides = "".join(f", {situation}: {mode}" for situation, mode in sorted(settings.modes.values.items())
                        if mode != settings.bot.mode)
    mode = f"{settings.bot.mode} ({MODE_WORDS[settings.bot.mode]}{overrides})"
    return {"reads": reads, "sends": sends, "mode": mode}


def ready_line(settings) -> str:
    """``ready: reading …, sending to …, mode …``, printed by ``mailbot run`` once connected."""
    where = describe(settings)
    return f"ready: reading {where['reads']}, sending to {where['sends']}, mode {where['mode']}"


def run(service: Service, stop: threading.Event, *, once: bool = False,
        max_attempts: int | None = None, on_ready: Callable[[], None] | None = None) -> None:
    """Process until ``stop`` is set (or, with ``once``, until the inbox is drained).

    ``max_attempts`` bounds the reconnection attempts (``once`` gives up after
    them with SourceUnavailable); the daemon retries forever. ``on_ready`` is
    called once, when the mailbox is first connected.
    """
    processor, source = service.processor, service.processor.source
    processor.stopping = stop.is_set
    reconnect = Retries(SourceUnavailable, "reconnecting", logging.WARNING, max_attempts)
    local = Retries(LocalProblem, "trying again", logging.ERROR, 1 if once else LOCAL_ATTEMPTS,
                    Backoff(cap=LOCAL_BACKOFF_CAP))
    while not stop.is_set():
        try:
            source.connect()
            processor.reconciled = False  # after a drop, a MOVE may have happened without its ledger update
            if on_ready is not None:
                on_ready()
                on_ready = None
            while not stop.is_set():
                # Drain: mail that arrived during a pass was announced in answers
                # imapclient drops, so IDLE would not tell us about it again.
                started = time.monotonic()
                while processor.run_once() and not stop.is_set():
                    pass
                # for /healthz and /metrics: when the last pass ended and how long it took (seconds)
                service.store.set_state("last_pass", f"{time.monotonic() - started:.3f}", processor.app.clock())
                reconnect.reset()  # only a completed pass proves the connection works
                local.reset()
                if once:
                    return
                retry = processor.outbox.seconds_to_retry()
                source.wait(timeout=600 if retry is None else max(1.0, retry), stop=stop)
        except Exception as exc:  # noqa: BLE001 - sorted below; anything else is raised as it was
            if is_local_problem(exc):
                # Nothing decided is lost: the transaction rolled back and the message is still in
                # the inbox. An operator may free the disk meanwhile; `once` does not wait.
                where = f"database {service.store.path}" if isinstance(exc, sqlite3.Error) else "local problem"
                local.failed(f"{where}: {exc}", stop)
            elif isinstance(exc, RETRYABLE):
                reconnect.failed(f"{source.name}: {exc}", stop)
            else:
                raise
        finally:
            source.close()

