"""Reads on cases: scoped lists, details, public views, deadline colours."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone

from fengqiao.cases.models import Case, CaseEvent, Petitioner
from fengqiao.cases.permissions import case_scope
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.core import crypto
from fengqiao.core.codes import query_code_normalise
from fengqiao.core.errors import NotFound
from fengqiao.core.workdays import add_workdays
from fengqiao.org.models import Staff


def deadline_colour(case: Case, now: dt.datetime | None = None) -> str:
    """Return 'red' (overdue), 'yellow' (due within the warning window) or 'green'; '' when no deadline runs."""
    if case.due_at is None or case.status not in OPEN_STATUSES:
        return ""
    now = now or timezone.now()
    if case.due_at < now:
        return "red"
    if add_workdays(timezone.localtime(now), settings.FENGQIAO_DEADLINES["yellow_within"]) >= case.due_at:
        return "yellow"
    return "green"


@dataclass
class CaseFilters:
    status: str = ""
    channel: str = ""
    query_code: str = ""
    number: str = ""
    q: str = ""
    region_code: str = ""
    department_id: int | None = None
    category_id: int | None = None
    colour: str = ""  # red / yellow / green
    mine: bool = False
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def case_list(*, staff: Staff, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    for name, value in vars(f).items():
        if isinstance(value, str) and "\x00" in value:
            setattr(f, name, value.replace("\x00", ""))  # PostgreSQL refuses NUL; nothing stored has one
    qs = case_scope(Case.objects.all(), staff).select_related("region", "category", "lead_department", "petitioner")
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.query_code:
        qs = qs.filter(query_code=query_code_normalise(f.query_code))
    if f.number:
        qs = qs.filter(number=f.number.strip())
    if f.q:
        qs = qs.filter(title__icontains=f.q.strip())
    if f.region_code:
        qs = qs.filter(region__path__contains=f"/{f.region_code.strip()}/")
    if f.department_id:
        qs = qs.filter(lead_department_id=f.department_id)
    if f.category_id:
        qs = qs.filter(category_id=f.category_id)
    if f.mine:
        qs = qs.filter(assignee=staff) if staff.role in ("handler", "mediator", "grid_worker") else qs.filter(registered_by=staff)
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    if f.colour:
        now = timezone.now()
        open_qs = qs.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
        soon = add_workdays(timezone.localtime(now), settings.FENGQIAO_DEADLINES["yellow_within"])
        qs = {
            "red": open_qs.filter(due_at__lt=now),
            "yellow": open_qs.filter(due_at__gte=now, due_at__lte=soon),
            "green": open_qs.filter(due_at__gt=soon),
        }.get(f.colour, qs)
    return qs.order_by("-created_at", "-pk")


def case_page(qs: QuerySet[Case], page: int, per_page: int = 30):
    return Paginator(qs, per_page).get_page(page)


def case_get(*, staff: Staff, case_id: int) -> Case:
    case = case_scope(Case.objects.all(), staff).select_related(
        "region", "category", "lead_department", "petitioner", "assignee"
    ).filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在或不在您的管辖范围内", "case not found or outside your jurisdiction")
    return case


def case_get_public(*, query_code: str) -> Case:
    case = Case.objects.select_related("region", "lead_department").filter(query_code=query_code_normalise(query_code)).first()
    if case is None:
        raise NotFound("查询码不存在，请核对后重新输入", "no case with this query code")
    return case


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def case_events_public(case: Case) -> list[dict]:
    """Return the timeline as the petitioner sees it: what happened and when, no staff names."""
    return [
        {"at": e.at, "action": e.action, "action_label": e.get_action_display(), "status": e.to_status,
         "note": e.public_note}
        for e in case.events.order_by("at", "pk")
        if e.public_note
    ]


def petitioner_cases(*, staff: Staff, id_number: str = "", phone: str = "", exclude_case_id: int | None = None) -> QuerySet[Case]:
    """Return the earlier cases of a person, found by ID number or phone across every channel."""
    indexes = [crypto.blind_index(v) for v in (id_number, phone) if v and v.strip()]
    if not indexes:
        return Case.objects.none()
    people = Petitioner.objects.filter(id_number_index__in=indexes) | Petitioner.objects.filter(phone_index__in=indexes)
    qs = case_scope(Case.objects.filter(petitioner__in=people), staff).select_related("region", "lead_department")
    if exclude_case_id:
        qs = qs.exclude(pk=exclude_case_id)
    return qs.order_by("-created_at")


# ---------------------------------------------------------------- helpers for the web console

_QUEUE_DEFAULT_STATUS = {
    "handler": "dispatched,in_progress",
    "mediator": "dispatched,in_progress",
    "grid_worker": "dispatched,in_progress",
    "dispatcher": "accepted,returned",
    "clerk": "registered,replied,evaluated",
}


def case_queue_default_status(staff: Staff) -> str:
    """Return the statuses (comma-separated) a role works on by default: its to-do list."""
    return _QUEUE_DEFAULT_STATUS.get(staff.role, ",".join(sorted(OPEN_STATUSES)))


def case_colour_counts(qs: QuerySet[Case]) -> dict[str, int]:
    """Count the open cases of `qs` by deadline colour, in one query."""
    from django.db.models import Count, Q

    now = timezone.now()
    soon = add_workdays(timezone.localtime(now), settings.FENGQIAO_DEADLINES["yellow_within"])
    running = Q(status__in=OPEN_STATUSES, due_at__isnull=False)
    counts = qs.order_by().aggregate(
        red=Count("pk", filter=running & Q(due_at__lt=now), distinct=True),
        yellow=Count("pk", filter=running & Q(due_at__gte=now, due_at__lte=soon), distinct=True),
        green=Count("pk", filter=running & Q(due_at__gt=soon), distinct=True),
    )
    return {k: counts[k] or 0 for k in ("red", "yellow", "green")}


def case_attachment_get(*, case: Case, attachment_id: int):
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在", "attachment not found")
    return attachment


def case_reveal_allowed(*, case: Case, staff: Staff) -> bool:
    """Return whether `staff` may ask to see the petitioner's personal data in clear."""
    from fengqiao.cases.states import ROLES_FOR, Action

    return case.petitioner_id is not None and staff.role in ROLES_FOR[Action.REVEAL]
