"""Where messages are analysed: worker processes, each message within a time budget.

Analysis is pure and CPU-bound, and customer input is untrusted: a message
built to be slow must not hold up intake. So the daemon analyses in worker
processes (``[analysis] workers``, 2 by default: both cores, while the
daemon's own thread writes the database, sends and moves mail), each message
within ``[analysis] budget_seconds``. A worker that exceeds it is killed and
replaced, and the message gets an ``Overrun`` instead of an analysis: the
processor quarantines it with the reason. A worker that dies (out of memory,
a crash in a C library) is replaced the same way. The caps of bounds.py make
the budget unreachable in practice; the budget makes it certain.

Workers are forked from the daemon after it has loaded the language model,
so they start at once and share its memory pages. Each closes the sockets
and files it inherited (the mail connections, the database, the other
workers' pipes) but its own pipe. They ignore SIGINT and SIGTERM (the daemon
stops them), and are killed with the daemon (Linux's parent-death signal),
or leave when their pipe closes. When the daemon stops, a message being
analysed is abandoned at once (it is read again at the next start), and no
worker is started until one is needed.

``Pool.map`` keeps the order of its input: results come back in the order
messages were fetched, so decisions are committed in that order.
``InProcess`` is the same interface without processes (``workers = 0``, the
CLI's ``analyze``, tests).
"""

from __future__ import annotations

import logging
import multiprocessing
import ctypes
import os
import pickle
import signal
import stat
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator, Protocol

from mailbot.read.analysis import Analysis
from mailbot.mail.sources import Incoming

log = logging.getLogger("mailbot.service.workers")

# Messages sent to a worker at a time. One: a job is sent only to a worker waiting
# for it, so the daemon never blocks writing a large message to a busy worker
# while that worker blocks writing its result back.
PREFETCH = 1
WAIT_SLICE = 0.5  # seconds between two looks at the daemon's stop flag while waiting for a result
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


@dataclass(frozen=True)
class Overrun:
    """No analysis: the worker took too long, or died. ``why`` says which."""

    why: str


# None: the message had no bytes to analyse (Incoming.error); an exception: what analyze raised.
Result = Analysis | Overrun | Exception | None


class Analyses(Protocol):
    def map(self, items: Iterable[Incoming], stopping: Callable[[], bool] = ...) -> Iterator[tuple[Incoming, Result]]:
        ...

    def close(self) -> None: ...


class InProcess:
    """Analysis in the calling process, without a budget."""

    def __init__(self, analyze: Callable[..., Analysis], options: dict[str, Any]):
        self.analyze, self.options = analyze, options

    def map(self, items: Iterable[Incoming],
            stopping: Callable[[], bool] = lambda: False) -> Iterator[tuple[Incoming, Result]]:
        for item in items:
            if stopping():
                return
            yield item, None if item.error is not None else _attempt(self.analyze, item.raw, item.internaldate,
                                                                     self.options)

    def close(self) -> None:
        pass


def _attempt(analyze: Callable[..., Analysis], raw: bytes, arrived, options: dict[str, Any]) -> Result:
    """The analysis, or the exception it raised (the processor quarantines the message with it)."""
    try:
        return analyze(raw, arrived=arrived, **options)
    except Exception as exc:  # noqa: BLE001 - one message must not stop the others
        return exc


def _let_go(keep: int) -> None:
    """In a new worker: close the daemon's sockets and files it inherited (the IMAP and SMTP
    connections, the database, the other workers' pipes), all but its own pipe ``keep``, so
    that a worker never holds a connection open; and die with the daemon (Linux)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd <= 2 or fd == keep:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode) or stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the worker still leaves when its pipe closes or its parent changes


def _serve(conn: Connection, analyze: Callable[..., Analysis], options: dict[str, Any]) -> None:
    """A worker's life: analyse what comes down the pipe until it closes or the daemon is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = os.getppid()
    _let_go(conn.fileno())
    try:
        while True:
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    break
                continue
            job_id, raw, arrived = conn.recv()
            result = _attempt(analyze, raw, arrived, options)
            try:
                conn.send((job_id, result))
            except (pickle.PicklingError, TypeError, AttributeError):  # an exception that cannot be pickled
                conn.send((job_id, RuntimeError(f"{type(result).__name__}: {result}")))
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        os._exit(0)  # no atexit handlers, no finalizers of the daemon's inherited objects


@dataclass
class _Job:
    id: int
    item: Incoming
    result: Result = None
    done: bool = False


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    jobs: deque[_Job] = field(default_factory=deque)  # sent to it, oldest first
    since: float = 0.0  # when its oldest job started, as far as the daemon can tell


class Pool:
    """``size`` forked workers; each message is analysed within ``budget`` seconds."""

    def __init__(self, size: int, budget: float, analyze: Callable[..., Analysis], options: dict[str, Any],
                 clock: Callable[[], float] = time.monotonic):
        self.size, self.budget, self.analyze, self.options, self.clock = size, budget, analyze, options, clock
        self.context = multiprocessing.get_context("fork")
        self.workers: list[_Worker | None] = [None] * size  # None: a slot to start when needed
        self.next_id = 0
        self.replaced = 0  # workers killed or found dead, and replaced
        self._fill()

    def _fill(self) -> None:
        """Start a worker in every empty slot."""
        for i, worker in enumerate(self.workers):
            if worker is None:
                self.workers[i] = self._start()

    def _start(self) -> _Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, self.analyze, self.options),
                                       name="mailbot-analysis", daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def _kill(self, worker: _Worker) -> None:
        """Stop ``worker`` now and free its slot; its jobs are the caller's to settle."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.workers[self.workers.index(worker)] = None
        self.replaced += 1

    def _replace(self, worker: _Worker) -> _Worker:
        """Kill ``worker`` and start another in its place."""
        slot = self.workers.index(worker)
        self._kill(worker)
        fresh = self.workers[slot] = self._start()
        return fresh

    def _send(self, job: _Job, worker: _Worker, attempts: int = 2) -> None:
        try:
            worker.conn.send((job.id, job.item.raw, job.item.internaldate))
        except OSError:  # it died while idle: its queue goes to a replacement, and so does this job
            fresh = self._fail(worker, "analysis worker died")
            if attempts > 1:
                self._send(job, fresh, attempts - 1)
            else:
                job.result, job.done = Overrun("analysis worker died"), True
            return
        if not worker.jobs:
            worker.since = self.clock()
        worker.jobs.append(job)

    def _fail(self, worker: _Worker, why: str) -> _Worker:
        """``worker`` overran or died: its current message gets ``why``, the ones queued behind it go
        to its replacement, which is returned."""
        if worker.jobs:
            current = worker.jobs.popleft()
            current.result, current.done = Overrun(why), True
            log.error("%s: %s; analysis worker replaced", current.item.label or "message", why)
        behind = list(worker.jobs)
        fresh = self._replace(worker)
        for job in behind:
            self._send(job, fresh)
        return fresh

    def map(self, items: Iterable[Incoming],
            stopping: Callable[[], bool] = lambda: False) -> Iterator[tuple[Incoming, Result]]:
        """(message, result) for each message, in order (see ``Result``); ends early, abandoning
        what is in flight, once ``stopping()`` is true."""
        self._fill()
        items = iter(items)
        queue: deque[_Job] = deque()
        exhausted = False
        try:
            while not stopping():
                while not exhausted:
                    worker = min(self.workers, key=lambda w: len(w.jobs))
                    if len(worker.jobs) >= PREFETCH:
                        break
                    item = next(items, None)
                    if item is None:
                        exhausted = True
                        break
                    self.next_id += 1
                    job = _Job(self.next_id, item)
                    queue.append(job)
                    if item.error is not None:  # nothing to analyse: the processor records why
                        job.done = True
                    else:
                        self._send(job, worker)
                if not queue:
                    return
                if queue[0].done:
                    job = queue.popleft()
                    yield job.item, job.result
                else:
                    self._collect()
        finally:
            for worker in [w for w in self.workers if w is not None and w.jobs]:
                self._kill(worker)  # abandoned: its result would be stale; a new one starts when needed

    def _collect(self) -> None:
        """Wait (at most WAIT_SLICE, to notice a stop) for a result or for the first budget to run
        out; replace what overran or died."""
        busy = [w for w in self.workers if w.jobs]
        deadline = min(w.since for w in busy) + self.budget
        ready = wait([w.conn for w in busy], timeout=max(0.0, min(deadline - self.clock(), WAIT_SLICE)))
        for worker in busy:
            if worker.conn in ready:
                try:
                    job_id, analysis = worker.conn.recv()
                except (EOFError, OSError) as exc:
                    self._fail(worker, f"analysis worker died ({type(exc).__name__})")
                    continue
                job = worker.jobs.popleft()  # a worker answers in the order it was sent
                job.result = analysis if job.id == job_id else Overrun("analysis result out of order")
                job.done = True
                worker.since = self.clock()
            elif self.clock() - worker.since >= self.budget:
                self._fail(worker, f"analysis took over {self.budget:g} s: stopped")

    def close(self) -> None:
        workers = [w for w in self.workers if w is not None]
        for worker in workers:
            worker.conn.close()
        for worker in workers:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
        self.workers = [None] * self.size
