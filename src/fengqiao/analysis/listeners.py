"""Reactions to case events (called after commit by fengqiao.cases.hooks)."""

from django.conf import settings

from fengqiao.core.tasks import enqueue


def on_case_registered(*, case_id: int) -> None:
    from fengqiao.analysis.services import insight_compute_task

    enqueue(insight_compute_task, case_id=case_id)


def on_case_accepted(*, case_id: int) -> None:
    from fengqiao.analysis.services import auto_dispatch_task

    if settings.FENGQIAO_AUTO_DISPATCH.get("enabled"):
        enqueue(auto_dispatch_task, case_id=case_id)


def on_case_dispatched(*, case_id: int, category_id: int | None, actor_id: int) -> None:
    from fengqiao.analysis.services import SYSTEM_DISPATCHER, routing_label_record
    from fengqiao.cases.models import Case, Category
    from fengqiao.org.models import Staff

    if category_id is None:
        return
    actor = Staff.objects.filter(pk=actor_id).first()
    if actor is None or actor.username == SYSTEM_DISPATCHER:
        return  # learning from our own automatic decisions would only reinforce them
    routing_label_record(case=Case.objects.get(pk=case_id), category=Category.objects.get(pk=category_id), actor=actor)
