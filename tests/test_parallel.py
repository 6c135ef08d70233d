"""parallel_map: the calling process and forked workers share the chunks; results come back in order."""

import os
import signal
import time

import pytest

from sitegen.speed import parallel


def pid_of(item):
    time.sleep(0.002)  # long enough that both processes take chunks
    return item * 2, os.getpid()


def fail_in_worker(item):
    if os.getpid() != PARENT:
        raise ValueError(f"item {item} is broken")
    time.sleep(0.002)
    return item


def die_in_worker(item):
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.002)
    return item


PARENT = os.getpid()


@pytest.fixture(autouse=True)
def two_processes(monkeypatch):
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 10)


def test_results_in_input_order_from_both_processes():
    results = parallel.parallel_map(pid_of, range(400))
    assert [value for value, _ in results] == [item * 2 for item in range(400)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2


def test_after_chunk_runs_in_the_process_that_did_the_chunk(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    parallel.parallel_map(pid_of, range(400), lambda: (marks / str(os.getpid())).touch())
    assert len(list(marks.iterdir())) == 2


def test_an_error_in_a_worker_is_raised_in_the_caller():
    """As the same exception (an OSError from a full disk must stay one), with the worker's traceback."""
    with pytest.raises(ValueError, match=r"item .* is broken") as raised:
        parallel.parallel_map(fail_in_worker, range(400))
    assert "in a worker process" in raised.value.__notes__[0] and "fail_in_worker" in raised.value.__notes__[0]


@pytest.mark.slow  # the death is noticed after a second's wait for results
def test_a_worker_that_dies_is_an_error_not_a_hang():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        parallel.parallel_map(die_in_worker, range(400))
    assert time.monotonic() - start < 30


def test_one_process_runs_serially(monkeypatch):
    monkeypatch.setenv("SITEGEN_WORKERS", "1")
    assert {pid for _, pid in parallel.parallel_map(pid_of, range(400))} == {os.getpid()}


def pid_and_sum(*numbers):
    return os.getpid(), sum(numbers)


def test_background_work_runs_in_another_process_and_serially_with_one_core(monkeypatch):
    pending = parallel.Background(pid_and_sum, 1, 2, 3)
    pid, total = pending.result()
    assert pid != os.getpid() and total == 6
    monkeypatch.setenv("SITEGEN_WORKERS", "1")
    assert parallel.Background(pid_and_sum, 4).result() == (os.getpid(), 4)


def test_background_errors_and_deaths_are_raised():
    with pytest.raises(ValueError, match="item 7 is broken"):
        parallel.Background(fail_in_worker, 7).result()
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        parallel.Background(die_in_worker, 7).result()


def test_background_work_no_longer_wanted_is_stopped():
    pending = parallel.Background(time.sleep, 30)
    started = time.monotonic()
    pending.close()
    assert time.monotonic() - started < 5
    assert pending._process is None


def test_chunks_cover_every_item_once_and_shrink_towards_the_end():
    from sitegen.speed.parallel import shrinking_spans

    for count in (1, 7, 450, 20_034):
        spans = shrinking_spans(count, 2)
        assert [i for span in spans for i in span] == list(range(count))
        sizes = [len(span) for span in spans]
        assert sizes == sorted(sizes, reverse=True)
    spans = shrinking_spans(20_034, 2)
    assert len(spans[0]) > 2000 and len(spans[-2]) <= 20_034 // 128  # the last ones take a moment each
