"""Run code on untrusted files in worker processes that the operating system keeps small.

A spreadsheet parser fed a hostile file can allocate gigabytes, loop, or abort the
process it runs in (calamine is Rust: a failed allocation aborts, a panic raises a
BaseException). In the app that process is the Streamlit server, so a file would take
every user down with it. Here the parse runs in a separate process with hard limits:

- address space (`RLIMIT_AS`, `Limits.parse_memory_mb`): an allocation past it fails;
- CPU time (`RLIMIT_CPU`, `Limits.parse_cpu_seconds` per file): the kernel kills it;
- wall time (`Limits.parse_wall_seconds`): the caller stops waiting, kills the worker
  and starts a fresh one.

Whatever happens, the caller gets a result or a `WorkerLimit` naming which limit was
hit; the worker is replaced when it dies. Workers are started as new interpreters
(`python -m etl.sandbox`), not forked from the (threaded) server, and kept between
files so a file costs a round trip, not a start-up.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from typing import Callable

from etl.read import Limits
from etl.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

START_SECONDS = 60          # a new interpreter importing the parsers, on a busy machine
RETIRE_RSS_MB = 256         # a worker that grew this much is replaced after the file


class WorkerLimit(Exception):
    """The work was stopped: `kind` is memory | cpu | wall | crash | error."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


class _Worker:
    """One worker process and the two pipes to it."""

    def __init__(self):
        request_r, request_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            # It imports what this process can (sys.path) and writes nowhere: calamine
            # prints Rust panics and abort notes on its output.
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "etl.sandbox", str(request_r), str(result_w),
                 json.dumps(sys.path)],
                pass_fds=(request_r, result_w), cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(request_r)
            os.close(result_w)
        self.requests = Connection(request_w, readable=False)
        self.results = Connection(result_r, writable=False)
        if not self.results.poll(START_SECONDS) or self._receive()[0] != "ready":
            self.kill()
            raise WorkerLimit("crash", "the worker did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, func: Callable, args: tuple, limits: Limits):
        """`func(*args)` in the worker; its value, or WorkerLimit."""
        try:
            self.requests.send((func, args, limits))
        except OSError:   # it died while reading the request
            self.kill()
            raise WorkerLimit(*self._death()[:2]) from None
        if not self.results.poll(limits.parse_wall_seconds):
            self.kill()
            raise WorkerLimit("wall", f"{limits.parse_wall_seconds:g} s")
        status, value, retire = self._receive()
        if status == "ok":
            if retire:
                self.close()
            return value
        self.kill()
        raise WorkerLimit(status, value or "")

    def _receive(self) -> tuple:
        try:
            return self.results.recv()
        except (EOFError, OSError):
            return self._death()

    def _death(self) -> tuple:
        """Why the worker died: the signal that ended it names the limit."""
        code = self.proc.wait()
        kind = {-signal.SIGXCPU: "cpu", -signal.SIGABRT: "memory",
                -signal.SIGKILL: "memory"}.get(code, "crash")
        return kind, f"exit code {code}", True

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self.close()

    def close(self) -> None:
        self.requests.close()
        self.results.close()
        if self.alive():
            try:
                self.proc.wait(timeout=5)   # it exits when its request pipe closes
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Sandbox:
    """Up to `size` workers, shared by the threads of one process."""

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(max(1, size))
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def run(self, func: Callable, *args, limits: Limits):
        """`func(*args)` in a worker under `limits`; WorkerLimit when a limit stopped it.
        `func` must be importable by name (a module-level function)."""
        with self._slots:
            worker = self._take()
            try:
                value = worker.call(func, args, limits)
            except WorkerLimit as exc:
                log.warning("parse worker stopped by its %s limit (%s) running %s", exc.kind,
                            exc.detail.splitlines()[-1] if exc.detail else "", func.__name__)
                raise
            except BaseException:
                worker.kill()
                raise
            if worker.alive():
                with self._lock:
                    self._idle.append(worker)
            return value

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.close()   # died while idle (killed from outside)
        return _Worker()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared(limits: Limits) -> Sandbox:
    """The process's sandbox, sized by the first caller's limits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox(limits.parse_workers)
            atexit.register(_shared.close)
        return _shared


# -- the worker side ------------------------------------------------------------------------

def _serve(requests: Connection, results: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    results.send(("ready", None, False))
    while True:
        try:
            func, args, limits = requests.recv()
        except EOFError:
            return   # the caller closed the pipe or died: nothing left to do
        _limit(limits)
        try:
            outcome = ("ok", func(*args))
        except MemoryError:
            outcome = ("memory", "MemoryError")
        except Exception:
            outcome = ("error", traceback.format_exc(limit=-8))
        finally:
            _unlimit()
        retire = _resident_mb() > RETIRE_RSS_MB
        results.send((*outcome, retire))
        if retire:
            return


def _resident_mb() -> float:
    """Resident memory now (not ru_maxrss: Linux carries it over from the process that
    started this one, so a worker started by a big server would look big at once)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _limit(limits: Limits) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + 1 + limits.parse_cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
    memory = limits.parse_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, resource.RLIM_INFINITY))


def _unlimit() -> None:
    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU):
        resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


if __name__ == "__main__":
    sys.path[:] = json.loads(sys.argv[3])
    import etl.validate  # noqa: F401  (the parsers, imported once per worker)

    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
