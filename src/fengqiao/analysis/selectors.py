"""Reads for the analysis pages: hot topics per month, warnings, similar cases at intake."""

import datetime as dt

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from fengqiao.analysis import engine
from fengqiao.analysis.models import CaseInsight, RiskLevel
from fengqiao.cases.models import Case
from fengqiao.cases.permissions import case_scope
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.org.models import Region, Staff
from fengqiao.org.selectors import region_scope_path
from fengqiao.text.similar import rescore
from fengqiao.text.topics import Doc, problem_list

TOPICS_CACHE_SECONDS = 600


def month_parse(value: str | None) -> tuple[int, int]:
    """Return (year, month) from 'YYYY-MM', defaulting to the current month."""
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (value or "").split("-", 1))
        dt.date(year, month, 1)
        return year, month
    except (ValueError, TypeError):
        return today.year, today.month


def topics_for_month(*, staff: Staff, year: int, month: int, top: int = 20) -> list[dict]:
    """Return the month's problem list (七张问题清单) among the cases `staff` may see, hottest first."""
    key = f"topics:{staff.pk}:{region_scope_path(staff)}:{year}-{month}:{top}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    qs = case_scope(Case.objects.filter(created_at__year=year, created_at__month=month), staff)
    rows = list(qs.values("id", "number", "title", "content", "created_at", "petitioner_id", "region__name",
                          "support_count", "oppose_count", "status"))
    docs = [Doc(id=r["id"], title=r["title"], text=r["content"], time=timezone.localtime(r["created_at"]).replace(tzinfo=None),
                petitioner=str(r["petitioner_id"]) if r["petitioner_id"] else None, region=r["region__name"],
                support=r["support_count"], oppose=r["oppose_count"]) for r in rows]
    by_id = {r["id"]: r for r in rows}
    topics = []
    for t in problem_list(docs, (year, month), top=top):
        cases = [by_id[i] for i in t.ids if i in by_id]
        topics.append({
            **t.to_dict(),
            "cases": [{"id": c["id"], "number": c["number"], "title": c["title"], "status": c["status"]} for c in cases[:50]],
            "open": sum(1 for c in cases if c["status"] in OPEN_STATUSES),
        })
    cache.set(key, topics, TOPICS_CACHE_SECONDS)
    return topics


def warning_list(*, staff: Staff, levels=(RiskLevel.RED, RiskLevel.ORANGE), open_only: bool = True) -> QuerySet[CaseInsight]:
    cases = case_scope(Case.objects.all(), staff)
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    return (CaseInsight.objects.filter(case__in=cases, risk_level__in=levels)
            .select_related("case", "case__region").order_by("-risk_score", "-case__created_at"))


def warning_counts(*, staff: Staff) -> dict[str, int]:
    from django.db.models import Count

    cases = case_scope(Case.objects.filter(status__in=OPEN_STATUSES), staff)
    rows = CaseInsight.objects.filter(case__in=cases).exclude(risk_level="").values("risk_level").annotate(n=Count("id"))
    return {r["risk_level"]: r["n"] for r in rows}


def similar_to_text(*, staff: Staff, text: str, region: Region | None, days: int = 90, k: int = 8) -> list[dict]:
    """Return recent cases like `text` in the region's town (or county), for the intake form."""
    if len(text.strip()) < 6:
        return []
    prefix = ""
    if region is not None:
        parts = [p for p in region.path.split("/") if p]
        prefix = "/" + "/".join(parts[:3]) + "/" if len(parts) >= 3 else region.path
    since = (timezone.now() - dt.timedelta(days=days)).timestamp()
    hits = engine.similar_query(text, region_prefix=prefix or None, since=since, k=k * 2,
                                min_score=engine.SIMILAR_MIN_SCORE)
    visible = {c.pk: c for c in case_scope(Case.objects.filter(pk__in=[h[0] for h in hits]), staff).select_related("region")}
    scored = rescore(text, ((cid, engine.case_text(c.title, c.content)) for cid, c in visible.items()), engine.SIMILAR_MIN_SCORE)
    return [{"case": visible[cid], "score": score} for cid, score in scored[:k]]
