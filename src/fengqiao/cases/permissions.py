"""Who may do what to which case: the role matrix (states.ROLES_FOR) plus jurisdiction and department."""

from django.db.models import Q, QuerySet

from fengqiao.cases.models import Case
from fengqiao.cases.states import ALLOWED_FROM, DEPARTMENT_ACTIONS, ROLES_FOR, SUPERVISOR_DECIDES, Action, Rating
from fengqiao.core.errors import NotPermitted, TransitionNotAllowed
from fengqiao.org.models import Role, Staff
from fengqiao.org.selectors import region_scope_path

DEPARTMENT_ROLES = {Role.HANDLER, Role.MEDIATOR, Role.GRID_WORKER}


def case_scope(qs: QuerySet[Case], staff: Staff) -> QuerySet[Case]:
    """Restrict a case queryset to what `staff` may see. Nobody sees a case that complains about
    them or their unit (信访工作条例: materials are never passed to those complained about)."""
    qs = qs.exclude(accused_staff=staff)
    if staff.department_id:
        qs = qs.exclude(accused_department_id=staff.department_id)
    if staff.is_superuser or (staff.role == Role.ADMIN and staff.region_id is None):
        return qs
    if staff.role in DEPARTMENT_ROLES:
        return qs.filter(
            Q(lead_department_id=staff.department_id) | Q(co_departments=staff.department_id) | Q(registered_by=staff)
        ).distinct()
    return qs.filter(region__path__startswith=region_scope_path(staff))


def case_visible_to(case: Case, staff: Staff) -> bool:
    """The same rule as case_scope, decided in memory for one loaded case (one query at most)."""
    if case.accused_staff_id == staff.pk or (staff.department_id and case.accused_department_id == staff.department_id):
        return False
    if staff.is_superuser or (staff.role == Role.ADMIN and staff.region_id is None):
        return True
    if staff.role in DEPARTMENT_ROLES:
        if staff.department_id and case.lead_department_id == staff.department_id:
            return True
        if case.registered_by_id == staff.pk:
            return True
        return bool(staff.department_id) and case.co_departments.filter(pk=staff.department_id).exists()
    return case.region.path.startswith(region_scope_path(staff))


def _status_label(status: str) -> str:
    from fengqiao.cases.states import Status

    return Status(status).label


def case_check(case: Case, action: str, actor: Staff | None) -> None:
    """Raise unless `actor` (None: the petitioner through the query code) may do `action` now."""
    allowed = ALLOWED_FROM.get(action)
    if allowed is not None and case.status not in allowed:
        label = Action(action).label
        raise TransitionNotAllowed(
            f"案件当前状态为“{_status_label(case.status)}”，不能{label}",
            f"case is {case.status}; '{action}' is not allowed from this status",
        )
    if actor is None:
        if action not in {Action.EVALUATE, Action.REVIEW}:
            raise NotPermitted("需要工作人员登录", "staff login required")
        return
    if actor.role not in ROLES_FOR.get(action, set()) and not actor.is_superuser:
        raise NotPermitted(
            f"“{actor.get_role_display()}”角色不能{Action(action).label}",
            f"role '{actor.role}' may not '{action}'",
        )
    if not case_visible_to(case, actor):
        raise NotPermitted("该案件不在您的管辖范围内", "case is outside your jurisdiction")
    if action in DEPARTMENT_ACTIONS and actor.role != Role.ADMIN and actor.department_id != case.lead_department_id:
        raise NotPermitted("只有牵头单位的人员可以办理此案件", "only staff of the lead department may do this")
    if (
        action == Action.ESCALATE
        and actor.role in DEPARTMENT_ROLES
        and case.lead_department_id is not None
        and actor.department_id != case.lead_department_id
    ):
        # A co-handling unit helps; it does not move the lead unit's case to another level.
        raise NotPermitted("只有牵头单位的人员可以提级", "only staff of the lead department may escalate")
    if (
        action in {Action.CLOSE, Action.DISPATCH}
        and case.last_rating == Rating.DISSATISFIED
        and case.redo_count >= 1
        and actor.role not in SUPERVISOR_DECIDES
    ):
        raise NotPermitted("重办后仍不满意的案件由督办员决定", "after a re-handling rated dissatisfied, a supervisor decides")
    if action == Action.DISPATCH and case.status == "evaluated" and actor.role not in SUPERVISOR_DECIDES:
        raise NotPermitted("已评价案件只能由督办员重新交办", "only a supervisor may re-dispatch an evaluated case")


def case_actions_available(case: Case, actor: Staff) -> list[str]:
    """Return the transitions `actor` may take on `case` now, for showing buttons."""
    from fengqiao.cases.states import TRANSITION_ACTIONS

    out = []
    for action in TRANSITION_ACTIONS:
        try:
            case_check(case, action, actor)
        except (NotPermitted, TransitionNotAllowed):
            continue
        out.append(action)
    return out
