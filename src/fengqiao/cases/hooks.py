"""After-commit hooks on case events, so that capabilities above `cases` (analysis, supervision)
can react without `cases` importing them. Listeners get ids, run after the transaction commits,
and must not raise into the request."""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager

from django.db import transaction

log = logging.getLogger(__name__)
_listeners: dict[str, list[Callable]] = defaultdict(list)
_muted = threading.local()

REGISTERED = "case_registered"
ACCEPTED = "case_accepted"
DISPATCHED = "case_dispatched"


def subscribe(event: str, listener: Callable) -> None:
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


@contextmanager
def muted():
    """Emit nothing inside this block (bulk seeding and imports analyse in one batch afterwards)."""
    previous = getattr(_muted, "on", False)
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = previous


def emit(event: str, **data) -> None:
    if getattr(_muted, "on", False):
        return
    for listener in list(_listeners[event]):
        transaction.on_commit(lambda listener=listener: _call(listener, data))


def _call(listener: Callable, data: dict) -> None:
    try:
        listener(**data)
    except Exception:
        log.exception("case hook %s failed", listener)
