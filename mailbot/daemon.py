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
import threading
from contextlib import contextmanager

from mailbot.processor import Processor
from mailbot.sources import SourceRefused, SourceUnavailable
from mailbot.sources.imap import CONNECTION_ERRORS

log = logging.getLogger("mailbot.daemon")

RETRYABLE = (SourceUnavailable, *CONNECTION_ERRORS)


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


def run(processor: Processor, stop: threading.Event, *, once: bool = False,
        max_attempts: int | None = None) -> None:
    """Process until ``stop`` is set (or, with ``once``, until the inbox is drained).

    ``max_attempts`` bounds the reconnection attempts (``once`` gives up after
    them with SourceUnavailable); the daemon retries forever.
    """
    source = processor.source
    processor.stopping = stop.is_set
    backoff = Backoff()
    failures = 0
    while not stop.is_set():
        try:
            source.connect()
            backoff.reset()
            failures = 0
            while not stop.is_set():
                processor.run_once()
                if once:
                    return
                source.wait(timeout=600, stop=stop)
        except SourceRefused:
            raise
        except RETRYABLE as exc:
            failures += 1
            if max_attempts is not None and failures >= max_attempts:
                raise SourceUnavailable(f"{source.name}: {exc} (gave up after {failures} attempts)") from exc
            delay = backoff.next()
            log.warning("%s: %s; reconnecting in %.1f s", source.name, exc, delay)
            stop.wait(delay)
        finally:
            source.close()
