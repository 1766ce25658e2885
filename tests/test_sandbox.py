"""The parse worker (etl.sandbox): each hard limit stops the work and names itself, the
caller carries on, and the next job gets a fresh worker. The jobs (tests/sandbox_jobs.py)
do what a hostile file makes a parser do: allocate, spin, hang, crash, raise."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

import hostile_files as hf
import sandbox_jobs as jobs
from etl import load, read, sandbox

LIMITS = read.Limits(parse_memory_mb=256, parse_cpu_seconds=2, parse_wall_seconds=4)


@pytest.fixture
def box():
    box = sandbox.Sandbox(2)
    yield box
    box.close()


def test_a_job_runs_and_returns_its_value(box):
    assert box.run(jobs.echo, {"a": [1, "ư"]}, limits=LIMITS) == {"a": [1, "ư"]}


# The CPU limit must trip before the wall limit even on a machine busy with other work.
CPU_FIRST = read.Limits(parse_memory_mb=256, parse_cpu_seconds=2, parse_wall_seconds=120)


@pytest.mark.parametrize("job, args, kind", [
    (jobs.hog_memory, (2048,), "memory"),
    (jobs.spin, (), "cpu"),
    (jobs.hang, (), "wall"),
    (jobs.segfault, (), "crash"),
    (jobs.fail, (), "error"),
])
def test_each_limit_stops_the_job_and_the_next_job_runs(box, job, args, kind):
    with pytest.raises(sandbox.WorkerLimit) as stopped:
        box.run(job, *args, limits=CPU_FIRST if kind == "cpu" else LIMITS)
    assert stopped.value.kind == kind
    if kind == "error":
        assert "RuntimeError: lỗi trong công việc" in stopped.value.detail
    assert box.run(jobs.echo, "tiếp tục", limits=LIMITS) == "tiếp tục"


def test_memory_under_the_limit_is_fine(box):
    assert box.run(jobs.hog_memory, 100, limits=LIMITS) == 10


def test_the_cpu_limit_is_per_job_not_per_worker(box):
    """A worker kept for many jobs must not run out of CPU time it used for earlier ones."""
    one_second = read.Limits(parse_cpu_seconds=1)
    pids = {box.run(jobs.burn, 0.7, limits=one_second) for _ in range(3)}
    assert len(pids) == 1


def test_a_worker_started_by_a_big_process_is_kept(box):
    """Linux carries ru_maxrss over from the process that starts a worker: a worker of a
    big server must still be judged by its own memory, and kept between files."""
    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])      # resident, not just reserved
    pids = {box.run(jobs.worker_pid, limits=LIMITS) for _ in range(3)}
    del ballast
    assert len(pids) == 1


def test_a_worker_that_grew_is_replaced_after_its_file(box):
    first = box.run(jobs.hold_memory, 300, limits=read.Limits())
    assert box.run(jobs.worker_pid, limits=LIMITS) != first


def test_a_worker_that_died_while_idle_is_replaced(box):
    pid = box.run(jobs.worker_pid, limits=LIMITS)
    os.kill(pid, signal.SIGKILL)
    _wait_until_dead(pid)
    assert box.run(jobs.worker_pid, limits=LIMITS) != pid


def _wait_until_dead(pid: int) -> None:
    """Until the killed worker is a zombie waiting to be reaped (the kill is asynchronous)."""
    for _ in range(500):
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return
        time.sleep(0.01)
    pytest.fail(f"worker {pid} still alive")


def test_threads_share_the_workers(box):
    """Streamlit serves sessions on threads: six at once on two workers, each gets its own
    answer, a stuck one does not hold up the others for longer than its limit."""
    results: dict[int, object] = {}

    def call(i: int) -> None:
        try:
            results[i] = box.run(jobs.hang if i == 0 else jobs.echo, *([] if i == 0 else [i]),
                                 limits=LIMITS)
        except sandbox.WorkerLimit as exc:
            results[i] = exc.kind

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {0: "wall", 1: 1, 2: 2, 3: 3, 4: 4, 5: 5}


@pytest.mark.parametrize("kind, words", [
    ("memory", ["cần quá nhiều bộ nhớ (quá 1024 MB)"]),
    ("cpu", ["quá lâu (quá 10 giây)"]),
    ("wall", ["quá lâu (quá 15 giây)"]),
    ("crash", ["trình đọc bảng tính dừng bất thường"]),
    ("error", ["lỗi chương trình"]),
])
def test_a_stopped_file_is_a_rejection_naming_the_file(kind, words, monkeypatch):
    class Stopped:
        def run(self, *args, **kwargs):
            raise sandbox.WorkerLimit(kind, "detail")

    monkeypatch.setattr(sandbox, "shared", lambda limits: Stopped())
    report = load.validate_bytes(hf.good_xlsx(), "báo cáo tháng 7.xlsx")
    [problem] = report.errors
    assert problem.file == "báo cáo tháng 7.xlsx" and problem.hint
    assert all(w in problem.message for w in words), problem.message
    assert problem.as_text().startswith("LỖI: báo cáo tháng 7.xlsx: ")


def test_a_file_over_the_size_limit_is_never_sent_to_a_worker(monkeypatch):
    monkeypatch.setattr(sandbox, "shared", lambda limits: pytest.fail("sent to a worker"))
    report = load.validate_bytes(b"x" * 2048, "lon.xlsx", limits=read.Limits(max_upload_bytes=1024))
    assert [p.code for p in report.errors] == ["too_large"]


def test_the_command_line_checks_the_size_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "lon.xlsx"
    with big.open("wb") as fh:   # sparse: 3 GB on paper, nothing on disk
        fh.truncate(3 * 1024 ** 3)
    monkeypatch.setattr(type(big), "read_bytes", lambda self: pytest.fail("read into memory"))
    report, data = load.validate_path(big)
    assert data == b"" and report.errors[0].code == "too_large"
    assert report.errors[0].message.startswith("Tệp quá lớn (3072 MB; tối đa 20 MB)")
