"""``parse_many(n_process=2)``: forked workers that inherit the pipeline, a pool kept for the next call,
and no worker left behind (#16)."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import govie
from govie import parallel

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [f"全市累计主动公开政府信息{n}条，共受理依申请公开{n % 97}件，其中当面申请{n % 13}件。" for n in range(100, 120)]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/proc/self/stat").exists(),
                                reason="fork and /proc")


@pytest.fixture
def rules():
    nlp = govie.load("rules")
    yield nlp
    parallel.shutdown()


def _workers() -> list:
    kept = parallel._KEPT
    return [] if kept is None else list(kept.ex._processes.values())


def test_two_processes_give_the_reports_of_one(rules):
    one = [r.to_dict() for r in govie.parse_many(TEXTS, nlp=rules)]
    two = [r.to_dict() for r in govie.parse_many(TEXTS, nlp=rules, n_process=2)]
    assert two == one
    assert [r["facts"][0]["value"] for r in two] == list(range(100, 120))


@linux_only
def test_workers_are_forked_and_kept_for_the_next_call_with_the_same_pipeline(tmp_path):
    # in a fresh process, as a user's script runs: the test process itself may hold other threads or an
    # OpenMP runtime left by earlier tests, where start_method() rightly chooses spawn
    script = tmp_path / "kept.py"
    script.write_text(textwrap.dedent(f"""
        import json
        import govie
        from govie import parallel

        def pids():
            return [p.pid for p in parallel._KEPT.ex._processes.values()]

        if __name__ == "__main__":
            texts = {TEXTS!r}
            nlp = govie.load("rules")
            list(govie.parse_many(texts, nlp=nlp, n_process=2))
            first, method = pids(), parallel._KEPT.key[1]
            alive = all(p.is_alive() for p in parallel._KEPT.ex._processes.values())
            list(govie.parse_many(texts[:6], nlp=nlp, n_process=2))
            again = pids()
            list(govie.parse_many(texts[:6], nlp=govie.build_rule_pipeline(), n_process=2))
            other = pids()
            print(json.dumps({{"method": method, "alive": alive, "first": first, "again": again, "other": other}}))
    """), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != parallel.START_METHOD_ENV}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert got["method"] == "fork" and got["alive"] and got["first"]
    assert got["again"] == got["first"]  # the same processes did the second call
    assert got["other"] != got["first"]  # another pipeline: a new pool


def test_start_method_is_spawn_under_an_openmp_runtime(monkeypatch):
    import threadpoolctl

    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: [{"internal_api": "openmp"}])
    assert parallel.start_method() == "spawn"
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: [{"internal_api": "openblas"}])
    assert parallel.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")


def test_closing_the_generator_early_ends_the_workers(rules):
    gen = govie.parse_many(TEXTS, nlp=rules, n_process=2)
    next(gen)
    gen.close()
    assert parallel._KEPT is None  # nothing kept: the pool in use was stopped
    assert not [p for p in __import__("multiprocessing").active_children() if p.is_alive()]


def test_an_error_in_a_text_ends_the_pool_and_the_next_call_works(rules):
    with pytest.raises(TypeError):
        list(govie.parse_many(TEXTS[:3] + [b"bytes"], nlp=rules, n_process=2))
    assert parallel._KEPT is None
    assert len(list(govie.parse_many(TEXTS[:4], nlp=rules, n_process=2))) == 4


def test_start_method_is_spawn_while_another_thread_runs(monkeypatch):
    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert parallel.start_method() == "spawn"
    finally:
        stop.set()
        t.join()
    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    assert parallel.start_method() == "spawn"


@linux_only
def test_start_method_is_fork_on_linux_with_one_thread():
    """In a fresh process (this one keeps earlier tests' pools, whose manager threads rule fork out)."""
    env = {k: v for k, v in os.environ.items() if k != parallel.START_METHOD_ENV}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    code = ("import threading\n"
            "from govie import parallel\n"
            "print(threading.active_count(), parallel.start_method())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["1", "fork"]


@linux_only
def test_a_kept_worker_ends_when_its_parent_is_killed(tmp_path):
    script = tmp_path / "keep.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        import govie
        from govie import parallel

        if __name__ == "__main__":
            nlp = govie.load("rules")
            list(govie.parse_many(["共受理依申请公开169件。"] * 4, nlp=nlp, n_process=2))
            print(*[p.pid for p in parallel._KEPT.ex._processes.values()], flush=True)
            time.sleep(60)
    """), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        pids = [int(x) for x in proc.stdout.readline().split()]
        assert pids
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)
        assert not any(_alive(p) for p in pids), "a worker outlived its killed parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"
