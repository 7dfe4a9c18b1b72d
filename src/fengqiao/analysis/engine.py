"""The process's text-analysis state: the routing model and the similar-case index.

The routing model lives in the data folder (`models/routing/`, versioned by fengqiao.text); the
database's RoutingLabel rows are the source of truth, so `fengqiao retrain-routing` can always
rebuild it. Each process holds one model and reloads it when another process saved a newer
version. The similar-case index is built from the database on first use and kept up to date as
cases are analysed. A missing or broken model never blocks intake: callers get no suggestions.
"""

import logging
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fengqiao.text.routing import ModelLoadError, RoutingModel, Taxonomy
from fengqiao.text.similar import SimilarIndex

log = logging.getLogger(__name__)
_lock = threading.RLock()  # the routing model
_index_lock = threading.RLock()  # the similar-case index: never waits for a model refit
_state: dict = {"model": None, "version": None, "index": None, "unsaved": 0, "saved_at": 0.0}

# Learning is cheap and immediate; saving (which refits the learned head) happens every few
# decisions or minutes. Decisions not yet saved are in the database and survive a restart
# through `fengqiao retrain-routing`.
SAVE_EVERY_LABELS = 25
SAVE_EVERY_SECONDS = 600

INDEX_WINDOW_DAYS = 400
SIMILAR_MIN_SCORE = 0.35  # shown as a similar case from this text similarity on


def case_text(title: str, content: str) -> str:
    """A case's text as the similar-case index stores it and as its hits are rescored and flagged."""
    return f"{title} {content}"


def model_dir() -> Path:
    return settings.DATA_DIR / "models" / "routing"


def taxonomy_from_db() -> Taxonomy:
    from fengqiao.cases.models import Category

    rows = []
    for leaf in Category.objects.filter(depth=3).select_related("parent__parent"):
        rows.append((leaf.parent.parent.name, leaf.parent.name, leaf.name,
                     " ".join(filter(None, [leaf.parent.parent.keywords, leaf.parent.keywords, leaf.keywords]))))
    return Taxonomy.from_rows(rows)


def region_words() -> list[str]:
    from fengqiao.org.models import Region

    return list(Region.objects.values_list("name", flat=True))


KEEP_VERSIONS = 5


def _current_version() -> int | None:
    try:
        match = re.fullmatch(r"routing-v(\d+)\.json\.gz", (model_dir() / "current").read_text().strip())
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _save(model: RoutingModel) -> int:
    """Save as a new version and keep only the last few versions on disk."""
    version = model.save(model_dir())
    for old in model_dir().glob("routing-v*.json.gz"):
        match = re.fullmatch(r"routing-v(\d+)\.json\.gz", old.name)
        if match and int(match.group(1)) <= version - KEEP_VERSIONS:
            old.unlink(missing_ok=True)
    return version


def routing_model() -> RoutingModel | None:
    """Return the current routing model: the saved one, else one built from the category table."""
    with _lock:
        on_disk = _current_version()
        if _state["model"] is not None and on_disk == _state["version"]:
            return _state["model"]
        model = None
        if on_disk is not None:
            try:
                model = RoutingModel.load(model_dir())
                if settings.FENGQIAO_ROUTING_PRIOR is not None:
                    model.set_level1_prior(settings.FENGQIAO_ROUTING_PRIOR)
            except (ModelLoadError, OSError, ValueError) as exc:
                log.warning("routing model unreadable, rebuilding from the taxonomy: %s", exc)
        if model is None:
            model, _ = routing_model_build()
            if model is None:
                return None
        _state["model"], _state["version"] = model, _current_version()
        return model


def routing_model_build(labels=(), undecided=()) -> tuple[RoutingModel | None, int]:
    """Build a model from the category table and labelled (text, path, title) examples, adapted to the
    wording of ``undecided`` (text, title) cases first; save it and make it current.
    Return the model and how many undecided cases it learned from."""
    taxonomy = taxonomy_from_db()
    if not taxonomy.paths:
        return None, 0
    kw = {"extra_words": region_words(), "level1_prior": settings.FENGQIAO_ROUTING_PRIOR}
    model = RoutingModel.from_taxonomy(taxonomy, **kw)
    # pseudo-labels come from the table alone, before any decision is learned
    adapted = model.self_train(undecided) if undecided else 0
    model.learn_many(labels)
    with _lock:
        _state["model"], _state["version"] = model, _save(model)
        _state["unsaved"], _state["saved_at"] = 0, time.monotonic()
    return model, adapted


def routing_model_learn(text: str, path: tuple[str, str, str], title: str | None = None) -> int | None:
    """Teach the current model one decision; save a new version every few decisions or minutes.
    Return the version on disk."""
    with _lock:
        model = routing_model()
        if model is None:
            return None
        model.learn(text, path, title=title)
        _state["unsaved"] += 1
        due = time.monotonic() - _state["saved_at"] >= SAVE_EVERY_SECONDS
        if _state["unsaved"] >= SAVE_EVERY_LABELS or due:
            routing_model_save()
        return _state["version"]


def routing_model_save() -> int | None:
    """Save the in-memory model (with its latest decisions) as a new version."""
    with _lock:
        model = _state["model"]
        if model is None:
            return None
        _state["version"] = _save(model)
        _state["unsaved"], _state["saved_at"] = 0, time.monotonic()
        return _state["version"]


def routing_model_reset() -> None:
    with _lock, _index_lock:
        _state["model"] = _state["version"] = None
        _state["index"] = None
        _state["unsaved"] = 0


def similar_index() -> SimilarIndex:
    """Return the process's similar-case index, building it from recent cases on first use."""
    from fengqiao.cases.models import Case

    with _index_lock:
        if _state["index"] is None:
            since = timezone.now() - timedelta(days=INDEX_WINDOW_DAYS)
            rows = (
                (c["id"], case_text(c["title"], c["content"]), c["region__path"], c["created_at"].timestamp(),
                 str(c["petitioner_id"] or ""))
                for c in Case.objects.filter(created_at__gte=since).values(
                    "id", "title", "content", "region__path", "created_at", "petitioner_id").iterator(chunk_size=2000)
            )
            _state["index"] = SimilarIndex.build(rows)
        return _state["index"]


def similar_query(text: str, **kwargs) -> list[tuple[int, float]]:
    """Query the index under its lock (another thread may be adding to it)."""
    with _index_lock:
        return similar_index().query(text, **kwargs)


def similar_index_add(case) -> None:
    with _index_lock:
        if _state["index"] is not None:
            _state["index"].add(case.pk, case_text(case.title, case.content), case.region.path, case.created_at.timestamp(),
                                str(case.petitioner_id or ""))
