"""Jobs for the sandbox tests: each does one thing a hostile file could make a parser do.
They run in the worker process (imported there by name), never in the test process."""
from __future__ import annotations

import os
import signal
import time


def echo(value):
    return value


def worker_pid() -> int:
    return os.getpid()


def hog_memory(mb: int) -> int:
    """Touch `mb` megabytes, 10 at a time."""
    held = [bytearray(10 * 1024 * 1024) for _ in range(mb // 10)]
    return len(held)


_held: list[bytearray] = []


def hold_memory(mb: int) -> int:
    """Keep `mb` megabytes resident after the job; the worker's pid."""
    block = bytearray(mb * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    _held.append(block)
    return os.getpid()


def spin() -> None:
    while True:
        pass


def hang() -> None:
    time.sleep(3600)


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def fail() -> None:
    raise RuntimeError("lỗi trong công việc")


def burn(seconds: float) -> int:
    """Use `seconds` of CPU time; the worker's pid."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return os.getpid()
