"""Analysis of cases: routing suggestions, similar and repeat cases, risk warnings; learning from dispatchers."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fengqiao.analysis import engine
from fengqiao.analysis.models import CaseInsight, RiskLevel, RoutingLabel
from fengqiao.cases.models import Case, Category, Evaluation
from fengqiao.core.tasks import enqueue, task
from fengqiao.notify.services import notification_send
from fengqiao.org.models import Role, Staff
from fengqiao.org.selectors import region_ancestors, responsibility_lookup
from fengqiao.text.risk import assess_risk
from fengqiao.text.similar import repeat_flags, rescore

log = logging.getLogger(__name__)

SIMILAR_WINDOW_DAYS = 90
SYSTEM_DISPATCHER = "auto-dispatch"
LEVEL_NAMES = {"village": "village", "town": "town", "county": "county", "city": "city"}


def _case_text(case: Case) -> str:
    return engine.case_text(case.title, case.content)


def routing_suggest(*, case: Case, k: int = 3) -> list[dict]:
    """Return up to k suggestions: category, confidence, the words that weighed most, and the lead department."""
    model = engine.routing_model()
    if model is None:
        return []
    try:
        raw = model.predict(case.content, k=k, title=case.title)
    except Exception:  # a broken model must never block intake
        log.exception("routing prediction failed")
        return []
    paths = ["/".join(s.path) for s in raw]
    categories = {c.path: c for c in Category.objects.filter(path__in=paths)}
    out = []
    for s, path in zip(raw, paths):
        category = categories.get(path)
        department = responsibility_lookup(category=category, region=case.region) if category else None
        out.append({
            "path": path, "category_id": category.pk if category else None,
            "confidence": round(float(s.confidence), 3), "reasons": list(s.reasons)[:6],
            "department_id": department.pk if department else None,
            "department": department.name if department else "",
        })
    return out


def _similar(case: Case) -> list[dict]:
    town = next((r for r in region_ancestors(case.region) if r.level in ("town", "county")), case.region)
    since = case.created_at - timedelta(days=SIMILAR_WINDOW_DAYS)
    text = _case_text(case)
    hits = engine.similar_query(text, region_prefix=town.path, since=since.timestamp(),
                                until=case.created_at.timestamp(), k=16, exclude=[case.pk],
                                min_score=engine.SIMILAR_MIN_SCORE)
    found = {c.pk: c for c in Case.objects.filter(pk__in=[h[0] for h in hits])
             .only("id", "number", "title", "content", "status")}
    scored = rescore(text, ((cid, _case_text(c)) for cid, c in found.items()), engine.SIMILAR_MIN_SCORE)
    return [{"id": cid, "number": found[cid].number, "title": found[cid].title, "status": found[cid].status, "score": score}
            for cid, score in scored[:8]]


def _earlier_of_petitioner(case: Case):
    if case.petitioner_id is None:
        return []
    return list(Case.objects.filter(petitioner_id=case.petitioner_id, created_at__lt=case.created_at).exclude(pk=case.pk)
                .values_list("id", "title", "content", "region__code", "created_at", "level"))


IN_PERSON = {"visit", "letter", "video"}


def _raised_level(case: Case) -> str:
    """Return the level at which the petitioner raised the matter, for the skip-level (越级访) flag:
    the registering office's level for visits, letters and video receptions about a town or village
    matter; otherwise 'town', which never counts as skipping."""
    office = case.registered_by.region if case.registered_by_id and case.registered_by.region_id else None
    if case.channel in IN_PERSON and office is not None and case.region.level in ("town", "village", "grid"):
        return {"county": "county", "city": "city"}.get(office.level, "town")
    return "town"


def _history(case: Case) -> dict:
    if case.petitioner_id is None:
        return {"dissatisfied_count": 0, "escalation_count": 0}
    mine = Case.objects.filter(petitioner_id=case.petitioner_id)
    agg = mine.aggregate(escalations=Sum("escalation_count"))
    return {
        "dissatisfied_count": Evaluation.objects.filter(case__in=mine, rating="dissatisfied").count(),
        "escalation_count": agg["escalations"] or 0,
    }


def insight_compute(*, case: Case) -> CaseInsight:
    """Analyse one case and store what was found; notify the leaders on duty of a new red warning."""
    case = Case.objects.select_related("region", "petitioner", "registered_by__region").get(pk=case.pk)
    suggestions = routing_suggest(case=case)
    similar = _similar(case)
    earlier = _earlier_of_petitioner(case)
    flags = repeat_flags(
        _case_text(case), [(cid, engine.case_text(t, c), reg, at, lvl) for cid, t, c, reg, at, lvl in earlier],
        level=_raised_level(case), now=case.created_at,
    )
    group = len({s["id"] for s in similar if s["score"] >= 0.5}) + 1
    risk = assess_risk(_case_text(case), repeat_count=len(flags.similar_case_ids), group_size=group,
                       now=case.created_at, **_history(case))
    with transaction.atomic():
        previous = CaseInsight.objects.select_for_update().filter(case=case).first()
        was_red = previous is not None and previous.risk_level == RiskLevel.RED
        insight, _ = CaseInsight.objects.update_or_create(case=case, defaults=dict(
            computed_at=timezone.now(), model_version=engine._state.get("version") or 0, suggestions=suggestions,
            similar=similar, is_repeat=flags.repeat, is_skip_level=flags.skip_level, repeat_of=flags.similar_case_ids,
            flag_reasons=flags.reasons, risk_level=risk.level or "", risk_score=risk.score, risk_reasons=risk.reasons,
        ))
        if insight.risk_level == RiskLevel.RED and not was_red:
            _notify_red_warning(case, risk.reasons)
    engine.similar_index_add(case)
    return insight


def leaders_on_duty(case: Case) -> list[Staff]:
    """Return the leaders on duty whose jurisdiction holds the case; the nearest level's, else all above."""
    paths = [r.path for r in region_ancestors(case.region)]
    leaders = list(Staff.objects.filter(role=Role.LEADER, on_duty=True, is_active=True, region__path__in=paths)
                   .select_related("region"))
    return leaders


def _notify_red_warning(case: Case, reasons: list[str]) -> None:
    recipients = leaders_on_duty(case)
    if not recipients:
        recipients = list(Staff.objects.filter(role=Role.LEADER, is_active=True,
                                               region__path__in=[r.path for r in region_ancestors(case.region)]))
    notification_send(
        recipients=recipients, kind="risk_red", case=case,
        title=f"红色预警：{case.number} {case.title}"[:200], body="；".join(reasons),
    )


def routing_label_record(*, case: Case, category: Category, actor: Staff | None) -> RoutingLabel:
    """Record a dispatcher's confirmed or corrected category and teach the model (after commit)."""
    insight = CaseInsight.objects.filter(case=case).only("suggestions").first()
    suggested = insight.suggestions[0]["path"] if insight and insight.suggestions else ""
    label = RoutingLabel.objects.create(case=case, category=category, actor=actor, suggested_path=suggested,
                                        confirmed=suggested == category.path)
    if category.depth == 3:
        enqueue(routing_learn_task, label_id=label.pk)
    return label


@task
def routing_learn_task(*, label_id: int) -> None:
    label = RoutingLabel.objects.select_related("case", "category").filter(pk=label_id).first()
    if label is None:
        return
    engine.routing_model_learn(label.case.content, tuple(label.category.path.split("/")), title=label.case.title)


def insight_compute_all(*, only_missing: bool = True) -> int:
    """Analyse every case (or those without an insight) in one batch; return how many."""
    qs = Case.objects.all()
    if only_missing:
        qs = qs.filter(insight__isnull=True)
    count = 0
    for case in qs.order_by("created_at").iterator(chunk_size=500):
        insight_compute(case=case)
        count += 1
    return count


@task
def insight_compute_task(*, case_id: int) -> None:
    case = Case.objects.filter(pk=case_id).first()
    if case is not None:
        insight_compute(case=case)


@task
def auto_dispatch_task(*, case_id: int) -> None:
    case = Case.objects.filter(pk=case_id).first()
    if case is not None:
        auto_dispatch(case=case)


def routing_retrain(*, self_train: bool = False) -> tuple[int, int]:
    """Rebuild the model from the category table and every recorded decision; with ``self_train``,
    also adapt it to the wording of the cases no dispatcher has decided (imported history).
    Return (decisions learned, undecided cases learned from)."""
    # as suggestions are made (routing_suggest) and single decisions learned (routing_label_record)
    labels = [(content, tuple(path.split("/")), title)
              for title, content, path in RoutingLabel.objects.filter(category__depth=3)
              .values_list("case__title", "case__content", "category__path")]
    undecided = []
    if self_train:
        undecided = [(content, title) for title, content in
                     Case.objects.filter(routing_labels__isnull=True).values_list("title", "content").iterator()]
    _, adapted = engine.routing_model_build(labels, undecided)
    return len(labels), adapted


def auto_dispatch(*, case: Case) -> bool:
    """Dispatch an accepted case on the top suggestion when enabled and confident enough. Off by default."""
    from fengqiao.cases.services import case_dispatch

    policy = settings.FENGQIAO_AUTO_DISPATCH
    case.refresh_from_db()
    if not policy.get("enabled") or case.status != "accepted":
        return False
    insight = CaseInsight.objects.filter(case=case).first()
    if not insight or not insight.suggestions:
        return False
    top = insight.suggestions[0]
    if top["confidence"] < policy.get("threshold", 0.9) or not top["department_id"]:
        return False
    from fengqiao.org.models import Department

    robot = system_dispatcher()
    case_dispatch(case=case, actor=robot, department=Department.objects.get(pk=top["department_id"]),
                  category=Category.objects.filter(pk=top["category_id"]).first(),
                  note=f"智能派单：置信度 {top['confidence']:.0%}")
    return True


def system_dispatcher() -> Staff:
    staff = Staff.objects.filter(username=SYSTEM_DISPATCHER).first()
    if staff is None:
        staff = Staff(username=SYSTEM_DISPATCHER, role=Role.ADMIN, display_name="智能派单")
        staff.set_unusable_password()
        staff.save()
    return staff


def case_insight_get(*, case: Case) -> CaseInsight | None:
    """Return the case's insight, computing it now when the background task has not yet."""
    insight = CaseInsight.objects.filter(case=case).first()
    return insight if insight is not None else insight_compute(case=case)


def routing_accuracy(*, since=None) -> dict:
    """Share of dispatcher decisions that confirmed the top suggestion."""
    qs = RoutingLabel.objects.all()
    if since:
        qs = qs.filter(at__gte=since)
    agg = qs.aggregate(n=Count("id"), ok=Count("id", filter=Q(confirmed=True)))
    return {"n": agg["n"], "confirmed": agg["ok"], "rate": (agg["ok"] / agg["n"]) if agg["n"] else None}
