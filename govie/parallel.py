"""Worker processes of :func:`govie.parse_many` with ``n_process>1``: how they start, when they end, and
the pool kept for the next call.

Workers are forked where that is safe (Linux, no other thread in this process, no OpenMP runtime
loaded): a forked worker inherits the loaded pipeline and is ready in milliseconds, where a spawned one
spends ~3 s CPU importing spaCy and loading the model. Elsewhere they are spawned
(``GOVIE_START_METHOD=spawn|fork`` overrides the choice). A pool whose results were all read stays alive
for the next call with the same pipeline and number of processes; an error, a signal or a generator
closed early ends its workers at once, and a worker ends when this process dies.
"""
from __future__ import annotations

import os
import sys
import threading
import weakref
from typing import Any, Callable, Optional

GUARD_HINT = ('parse_many(n_process>1) starts worker processes, which import the main script again: '
              'put the code that calls it under  if __name__ == "__main__":  (see the multiprocessing '
              'docs, "Safe importing of main module")')
#: environment variable that forces the start method of the workers (``fork`` or ``spawn``)
START_METHOD_ENV = "GOVIE_START_METHOD"


def start_method() -> str:
    """``fork`` where the platform has it and nothing running in this process makes it unsafe, else
    ``spawn``: a fork copies only the calling thread, so a lock another thread holds (or a running
    OpenMP thread pool, which libgomp cannot rebuild in the child) would stay locked in the worker."""
    import multiprocessing

    forced = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if forced in ("fork", "spawn"):
        return forced
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"  # macOS: system libraries are not fork-safe; Windows: no fork
    if threading.active_count() > 1:
        return "spawn"
    from threadpoolctl import threadpool_info

    if any(lib.get("internal_api") == "openmp" for lib in threadpool_info()):
        return "spawn"
    return "fork"


def die_with_parent() -> None:
    """Linux: this (worker) process gets SIGTERM when its parent dies, so that no idle worker outlives a
    parent that was killed without a chance to end it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call above
        os._exit(1)


def _unguarded_call() -> bool:
    """This call runs at the top level of the ``__main__`` script, outside ``if __name__ == "__main__":``
    (the worker processes would run the script again, and fail)."""
    import ast
    import inspect

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return False
    frame = inspect.currentframe()
    while frame is not None and not (frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>"):
        frame = frame.f_back
    if frame is None:
        return False
    line = frame.f_lineno
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            return not (isinstance(node, ast.If) and "__name__" in ast.unparse(node.test))
    return False


def check_main_guard() -> None:
    """Refuse a call outside ``if __name__ == "__main__":`` with :data:`GUARD_HINT`, whatever the start
    method: forked workers would not need the guard, but the same script fails where workers are spawned."""
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False) or _unguarded_call():
        if multiprocessing.parent_process() is not None:  # the worker's import of the script: quiet
            raise SystemExit(1)
        raise RuntimeError(GUARD_HINT)


def stop_pool(ex: Any) -> None:
    """End the workers of ``ex`` now (a signal, an error, an early ``close()``): no process is left."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=3)
        if p.is_alive():
            p.kill()
            p.join(timeout=1)


def _healthy(ex: Any) -> bool:
    procs = (getattr(ex, "_processes", None) or {}).values()
    return not getattr(ex, "_broken", False) and not getattr(ex, "_shutdown_thread", False) \
        and all(p.is_alive() for p in procs)


class _Kept:
    """The idle pool kept for the next call: its executor and what it was made for."""

    def __init__(self, ex: Any, nlp: Any, workers: int, method: str) -> None:
        self.ex = ex
        self.nlp = weakref.ref(nlp)
        self.key = (workers, method, tuple(nlp.pipe_names))


_KEPT: Optional[_Kept] = None
_LOCK = threading.Lock()


def acquire(nlp: Any, workers: int, initializer: Callable[[tuple], None],
            spec: Callable[[str], tuple]) -> tuple[Any, str]:
    """A ``ProcessPoolExecutor`` of ``workers`` processes whose initializer gets ``spec(method)``, and the
    start method: the kept pool if it was made for this same ``nlp`` (and is idle and healthy), else a new
    one. Give it back with :func:`release`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _KEPT
    with _LOCK:
        kept, _KEPT = _KEPT, None
    if kept is not None:
        method = kept.key[1]
        if kept.nlp() is nlp and kept.key == (workers, method, tuple(nlp.pipe_names)) and _healthy(kept.ex):
            return kept.ex, method
        kept.ex.shutdown(wait=True)  # idle: its workers end at once (and no thread of it is left to fork)
    method = start_method()
    ex = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=initializer,
                             initargs=(spec(method),))
    return ex, method


def release(ex: Any, nlp: Any, workers: int, method: str, ok: bool) -> None:
    """After a call: keep the pool for the next one (``ok``: every result was read), else end its workers.
    One pool is kept; another one in hand is shut down."""
    global _KEPT
    if not ok:
        stop_pool(ex)
        return
    with _LOCK:
        old, _KEPT = _KEPT, _Kept(ex, nlp, workers, method)
    if old is not None:
        old.ex.shutdown(wait=True)


def shutdown() -> None:
    """End the kept pool's workers (also done at exit)."""
    global _KEPT
    with _LOCK:
        kept, _KEPT = _KEPT, None
    if kept is not None:
        kept.ex.shutdown(wait=True)
