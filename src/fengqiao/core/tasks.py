"""Background work, one set of task functions for both modes.

Embedded mode (no CELERY_BROKER_URL): a task runs in-process after the transaction commits, on a
small thread pool, so `fengqiao demo` needs nothing else. Production: with CELERY_BROKER_URL set
(e.g. redis://127.0.0.1:6379/0) the task is sent to Celery workers (`celery -A fengqiao.celery worker`).
Tasks take only JSON-able keyword arguments (ids, not objects) and must be safe to run twice.
"""

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction

log = logging.getLogger(__name__)

REGISTRY: dict[str, Callable] = {}
_pool: ThreadPoolExecutor | None = None


def task(fn: Callable) -> Callable:
    """Register `fn` as a task under its dotted name."""
    REGISTRY[f"{fn.__module__}.{fn.__name__}"] = fn
    fn.task_name = f"{fn.__module__}.{fn.__name__}"
    return fn


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def enqueue(fn: Callable, **kwargs) -> None:
    """Run `fn(**kwargs)` in the background once the current transaction commits."""
    name = fn.task_name
    transaction.on_commit(lambda: _dispatch(name, kwargs))


def _dispatch(name: str, kwargs: dict) -> None:
    if broker_url():
        from fengqiao.celery import app

        app.send_task(name, kwargs=kwargs)
    elif getattr(settings, "FENGQIAO_TASKS_SYNC", False):
        run_task(name, kwargs)
    else:
        global _pool
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fengqiao-task")
        _pool.submit(_run_in_thread, name, kwargs)


def run_task(name: str, kwargs: dict) -> None:
    try:
        REGISTRY[name](**kwargs)
    except Exception:  # a failed background task must never break the request that queued it
        log.exception("task %s failed", name)


def _run_in_thread(name: str, kwargs: dict) -> None:
    close_old_connections()
    try:
        run_task(name, kwargs)
    finally:
        connections.close_all()
