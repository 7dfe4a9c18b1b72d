"""The case state machine: every action from every status, every role, jurisdiction, deadlines,
re-handling, appeals, escalation, atomicity and the audit chain behind it."""

import datetime as dt
import re
import zoneinfo

import chinese_calendar
import pytest
from freezegun import freeze_time

from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import ALLOWED_FROM, ROLES_FOR, TRANSITION_ACTIONS, Action, Level, Rating, Status
from fengqiao.core.audit import audit_verify
from fengqiao.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from fengqiao.core.models import AuditEntry
from fengqiao.org.models import Role
from tests.cases.drive import case_new, drive_to, shared_world_fixture

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")
REPLY = "已约谈物业公司，电梯已于本周修复并通过检验。"


shared = shared_world_fixture(departments=("housing", "town_gov"))


@pytest.fixture
def world(shared, db):
    return shared[0]


def _prepared(shared, status, department="housing"):
    """Return this module's ready-made case in `status`, handled by `department` once dispatched."""
    return Case.objects.get(pk=shared[1][(status, department)])


def _dispatcher_for(world, case):
    # Only a supervisor may send an evaluated case back out.
    return world.supervisor if case.status == Status.EVALUATED else world.dispatcher


# action → (call with a permitted actor and valid input, status it leads to; None: unchanged)
CALLS = {
    Action.ACCEPT: (lambda w, c: services.case_accept(case=c, actor=w.clerk), Status.ACCEPTED),
    Action.REJECT: (lambda w, c: services.case_reject(case=c, actor=w.clerk, reason="属于诉讼渠道解决的事项"), Status.REJECTED),
    Action.DISPATCH: (
        lambda w, c: services.case_dispatch(case=c, actor=_dispatcher_for(w, c), department=w.housing),
        Status.DISPATCHED,
    ),
    Action.CLAIM: (lambda w, c: services.case_claim(case=c, actor=w.handler), Status.IN_PROGRESS),
    Action.RETURN: (lambda w, c: services.case_return(case=c, actor=w.handler, reason="不属于本单位职责"), Status.RETURNED),
    Action.ESCALATE: (lambda w, c: services.case_escalate(case=c, actor=w.dispatcher, reason="涉及多个部门，需县级协调"), Status.ACCEPTED),
    Action.EXTEND: (lambda w, c: services.case_extend(case=c, actor=w.leader, days=10, reason="需要第三方检测"), None),
    Action.REPLY: (lambda w, c: services.case_reply(case=c, actor=w.handler, content=REPLY), Status.REPLIED),
    Action.EVALUATE: (lambda w, c: services.case_evaluate(case=c, actor=None, rating=Rating.SATISFIED), Status.EVALUATED),
    Action.CLOSE: (lambda w, c: services.case_close(case=c, actor=w.clerk), Status.CLOSED),
    Action.REVIEW: (lambda w, c: services.case_review(case=c, actor=None, reason="答复未解决实际问题，电梯仍经常停运"), Status.ACCEPTED),
}
MATRIX = [(action, status) for action in TRANSITION_ACTIONS for status in Status.values]


def _snapshot(case):
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(CaseEvent.objects.filter(case=case).values_list("pk", "action", "to_status")),
        AuditEntry.objects.count(),
    )


def test_every_transition_action_has_a_call():
    assert set(CALLS) == set(TRANSITION_ACTIONS) == set(ALLOWED_FROM)


@pytest.mark.parametrize("action,status", MATRIX, ids=[f"{a}-from-{s}" for a, s in MATRIX])
def test_status_matrix(world, shared, action, status):
    case = _prepared(shared, status)
    call, leads_to = CALLS[action]
    events_before = case.events.count()
    audit_before = AuditEntry.objects.count()
    if status in ALLOWED_FROM[action]:
        result = call(world, case)
        case.refresh_from_db()
        assert result.status == case.status == (leads_to or status)
        events = list(case.events.order_by("-at", "-pk")[:1])
        assert case.events.count() == events_before + 1
        assert AuditEntry.objects.count() == audit_before + 1
        assert events[0].action == action and events[0].from_status == status and events[0].to_status == case.status
        assert AuditEntry.objects.order_by("-seq").first().action == f"case.{action}"
    else:
        before = _snapshot(case)
        with pytest.raises(TransitionNotAllowed) as info:
            call(world, case)
        assert CJK.search(info.value.message) and Status(status).label in info.value.message
        assert info.value.message_en
        assert _snapshot(case) == before


# action → the status it is tried from in the role matrix.
ROLE_START = {
    Action.ACCEPT: Status.REGISTERED, Action.REJECT: Status.REGISTERED, Action.DISPATCH: Status.ACCEPTED,
    Action.CLAIM: Status.DISPATCHED, Action.RETURN: Status.DISPATCHED, Action.ESCALATE: Status.DISPATCHED,
    Action.EXTEND: Status.DISPATCHED, Action.REPLY: Status.IN_PROGRESS, Action.EVALUATE: Status.REPLIED,
    Action.CLOSE: Status.REPLIED, Action.REVIEW: Status.CLOSED,
}
ROLE_KWARGS = {
    Action.REJECT: {"reason": "重复提交"}, Action.RETURN: {"reason": "不属于本单位职责"},
    Action.ESCALATE: {"reason": "需上级协调"}, Action.EXTEND: {"days": 5, "reason": "需要现场勘验"},
    Action.REPLY: {"content": REPLY}, Action.EVALUATE: {"rating": Rating.SATISFIED},
    Action.REVIEW: {"reason": "答复未解决实际问题"},
}
SERVICE = {
    Action.ACCEPT: services.case_accept, Action.REJECT: services.case_reject, Action.DISPATCH: services.case_dispatch,
    Action.CLAIM: services.case_claim, Action.RETURN: services.case_return, Action.ESCALATE: services.case_escalate,
    Action.EXTEND: services.case_extend, Action.REPLY: services.case_reply, Action.EVALUATE: services.case_evaluate,
    Action.CLOSE: services.case_close, Action.REVIEW: services.case_review,
}
# One member of staff per role; handling roles work for the department the case goes to.
PERSON_OF_ROLE = {
    Role.CLERK: "clerk", Role.DISPATCHER: "dispatcher", Role.HANDLER: "handler", Role.MEDIATOR: "mediator",
    Role.GRID_WORKER: "grid_worker", Role.LEADER: "leader", Role.SUPERVISOR: "supervisor", Role.ADMIN: "admin",
}
ROLE_MATRIX = [(action, role) for action in TRANSITION_ACTIONS for role in Role.values]


@pytest.mark.parametrize("action,role", ROLE_MATRIX, ids=[f"{a}-by-{r}" for a, r in ROLE_MATRIX])
def test_role_matrix(world, shared, action, role):
    actor = world.staff[PERSON_OF_ROLE[role]]
    department = "town_gov" if actor.department == world.town_gov and actor.role != Role.CLERK else "housing"
    case = _prepared(shared, ROLE_START[action], department)
    kwargs = dict(ROLE_KWARGS.get(action, {}))
    if action == Action.DISPATCH:
        kwargs["department"] = world.housing
    call = lambda: SERVICE[action](case=case, actor=actor, **kwargs)  # noqa: E731
    if role in ROLES_FOR[action]:
        assert call().events.filter(action=action, actor=actor).exists()
    else:
        before = _snapshot(case)
        with pytest.raises(NotPermitted) as info:
            call()
        assert CJK.search(info.value.message)
        assert _snapshot(case) == before


# ---------------------------------------------------------------- jurisdiction


def test_clerk_of_another_town_cannot_accept(world):
    case = case_new(world, region=world.town)
    with pytest.raises(NotPermitted, match="管辖"):
        services.case_accept(case=case, actor=world.other_clerk)
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    # the clerk of the county above may
    assert services.case_accept(case=case, actor=world.clerk).status == Status.ACCEPTED


def test_other_town_clerk_accepts_own_town(world):
    case = case_new(world, region=world.other_town)
    assert services.case_accept(case=case, actor=world.other_clerk).status == Status.ACCEPTED


@pytest.mark.parametrize("who", ["town_handler", "other_handler"])
def test_handler_outside_lead_department_cannot_claim_or_reply(world, who):
    case = drive_to(world, Status.DISPATCHED, department=world.housing)
    with pytest.raises(NotPermitted):
        services.case_claim(case=case, actor=world.staff[who])
    services.case_claim(case=case, actor=world.handler)
    with pytest.raises(NotPermitted):
        services.case_reply(case=case, actor=world.staff[who], content=REPLY)
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


def test_co_department_may_see_but_not_claim_reply_or_escalate(world):
    case = services.case_accept(case=case_new(world), actor=world.clerk)
    services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing, co_departments=[world.town_gov])
    assert selectors.case_get(staff=world.town_handler, case_id=case.pk) == case
    with pytest.raises(NotPermitted, match="牵头单位"):
        services.case_claim(case=case, actor=world.town_handler)
    with pytest.raises(NotPermitted, match="牵头单位"):
        services.case_escalate(case=case, actor=world.town_handler, reason="想交给县里")
    assert Case.objects.get(pk=case.pk).lead_department == world.housing


def test_dispatch_to_department_outside_jurisdiction_refused(world):
    case = services.case_accept(case=case_new(world, region=world.other_town), actor=world.other_clerk)
    # a town clerk cannot dispatch at all; a county dispatcher cannot send to a unit of another county
    from fengqiao.org.models import Department, Region

    far = Region.objects.create(code="990102", name="远山县", level="county", parent=world.city)
    far_dept = Department.objects.create(name="远山县住建局", kind="functional", region=far)
    with pytest.raises(NotPermitted, match="管辖"):
        services.case_dispatch(case=case, actor=world.dispatcher, department=far_dept)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


# ---------------------------------------------------------------- deadlines


def _nth_workday_after(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SHANGHAI)


def test_acceptance_due_in_15_working_days_over_national_day(world):
    with freeze_time("2025-09-26 02:00:00"):  # Friday 10:00 in Shanghai, before the 2025 National Day break
        case = case_new(world)
    due = _local(case.accept_due_at)
    # Sunday 28 Sep is a make-up working day; 1–8 Oct are holidays; Saturday 11 Oct is worked.
    assert due.date() == dt.date(2025, 10, 23) == _nth_workday_after(dt.date(2025, 9, 26), 15)
    assert due.time() == dt.time(23, 59, 59)
    assert case.due_at == case.accept_due_at


def test_resolution_due_60_working_days_after_acceptance(world):
    with freeze_time("2025-09-26 02:00:00"):
        case = case_new(world)
    with freeze_time("2025-09-30 02:00:00"):
        case = services.case_accept(case=case, actor=world.clerk)
    due = _local(case.resolve_due_at)
    expected = _nth_workday_after(dt.date(2025, 9, 30), 60)
    assert due.date() == expected
    # the holidays matter: plain Monday–Friday counting would give a different day
    weekdays, day = 0, dt.date(2025, 9, 30)
    while weekdays < 60:
        day += dt.timedelta(days=1)
        weekdays += day.weekday() < 5
    assert expected != day
    assert case.due_at == case.resolve_due_at
    assert case.accepted_at == dt.datetime(2025, 9, 30, 2, tzinfo=dt.timezone.utc)


def test_extension_once_only_and_at_most_30_days(world):
    with freeze_time("2025-09-30 02:00:00"):
        case = drive_to(world, Status.IN_PROGRESS)
        original = _local(case.resolve_due_at).date()
        for days in (0, 31, -3):
            with pytest.raises(ValidationFailed, match="30"):
                services.case_extend(case=case, actor=world.leader, days=days, reason="需要现场勘验")
        case = services.case_extend(case=case, actor=world.leader, days=30, reason="需要现场勘验")
    assert case.extension_count == 1
    assert _local(case.resolve_due_at).date() == _nth_workday_after(original, 30)
    assert case.status == Status.IN_PROGRESS
    before = _snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="一次"):
        services.case_extend(case=case, actor=world.supervisor, days=5, reason="再延一次")
    assert _snapshot(case) == before


def test_deadline_colours(world):
    with freeze_time("2025-09-30 02:00:00"):
        case = drive_to(world, Status.DISPATCHED)
    due = case.due_at
    assert selectors.deadline_colour(case, now=due - dt.timedelta(days=40)) == "green"
    assert selectors.deadline_colour(case, now=due - dt.timedelta(hours=30)) == "yellow"
    assert selectors.deadline_colour(case, now=due + dt.timedelta(seconds=1)) == "red"
    for now, colour in ((due - dt.timedelta(days=40), "green"), (due - dt.timedelta(hours=30), "yellow"),
                        (due + dt.timedelta(hours=1), "red")):
        with freeze_time(now):
            listed = selectors.case_list(staff=world.dispatcher, filters=selectors.CaseFilters(colour=colour))
            assert case in listed, colour
            others = {"green", "yellow", "red"} - {colour}
            assert all(case not in selectors.case_list(staff=world.dispatcher, filters=selectors.CaseFilters(colour=o))
                       for o in others)
    closed = drive_to(world, Status.CLOSED)
    assert selectors.deadline_colour(closed) == ""


# ---------------------------------------------------------------- re-handling (重办)


def _twice_dissatisfied(world):
    case = drive_to(world, Status.REPLIED)
    events_before, audit_before = case.events.count(), AuditEntry.objects.count()
    case = services.case_evaluate(case=case, actor=None, rating=Rating.DISSATISFIED, comment="电梯还是坏的")
    assert case.status == Status.IN_PROGRESS and case.redo_count == 1
    assert case.events.count() == events_before + 2 and AuditEntry.objects.count() == audit_before + 2
    assert list(case.events.order_by("-pk").values_list("action", flat=True)[:2]) == [Action.REDO, Action.EVALUATE]
    assert case.evaluations.get().rating == Rating.DISSATISFIED

    case = services.case_reply(case=case, actor=world.handler, content="已更换电梯主板，再次检验合格。")
    case = services.case_evaluate(case=case, actor=None, rating=Rating.DISSATISFIED)
    assert case.status == Status.EVALUATED and case.redo_count == 1
    assert case.evaluations.count() == 2
    return case


def test_first_dissatisfied_rating_sends_case_back_once(world):
    _twice_dissatisfied(world)


@pytest.mark.parametrize("who", ["clerk", "dispatcher", "leader"])
def test_after_second_dissatisfied_only_supervisor_decides(world, who):
    case = _twice_dissatisfied(world)
    with pytest.raises(NotPermitted, match="督办"):
        services.case_close(case=case, actor=world.staff[who])
    if who != "clerk":
        with pytest.raises(NotPermitted, match="督办"):
            services.case_dispatch(case=case, actor=world.staff[who], department=world.housing)
    assert Case.objects.get(pk=case.pk).status == Status.EVALUATED


def test_supervisor_closes_or_redispatches_after_second_dissatisfied(world):
    case = _twice_dissatisfied(world)
    redispatched = services.case_dispatch(case=case, actor=world.supervisor, department=world.town_gov)
    assert redispatched.status == Status.DISPATCHED and redispatched.lead_department == world.town_gov
    other = _twice_dissatisfied(world)
    assert services.case_close(case=other, actor=world.supervisor).status == Status.CLOSED


def test_satisfied_rating_can_be_closed_by_clerk(world):
    case = drive_to(world, Status.EVALUATED)
    assert case.last_rating == Rating.SATISFIED
    assert services.case_close(case=case, actor=world.clerk).status == Status.CLOSED


# ---------------------------------------------------------------- appeals (复查, 复核)


def _handle_again(world, case):
    case = services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing)
    case = services.case_claim(case=case, actor=world.handler)
    case = services.case_reply(case=case, actor=world.handler, content="复查意见：维持原答复，另行安排维保单位。")
    return services.case_close(case=case, actor=world.clerk)


def test_review_then_re_review_then_refused(world):
    case = drive_to(world, Status.CLOSED)
    case = services.case_review(case=case, actor=None, reason="答复未解决实际问题，电梯仍经常停运")
    assert case.status == Status.ACCEPTED and case.appeal_stage == 1
    assert case.lead_department is None and case.closed_at is None
    assert "复查" in case.events.order_by("-pk").first().public_note
    case = _handle_again(world, case)
    case = services.case_review(case=case, actor=world.clerk, reason="对复查意见仍不服，申请复核")
    assert case.status == Status.ACCEPTED and case.appeal_stage == 2
    assert "复核" in case.events.order_by("-pk").first().public_note
    case = _handle_again(world, case)
    before = _snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="复查和复核"):
        services.case_review(case=case, actor=None, reason="还要再申请一次复核")
    assert _snapshot(case) == before


def test_review_outside_window_refused(world):
    with freeze_time("2025-09-30 02:00:00"):
        case = drive_to(world, Status.CLOSED)
    last_day = _nth_workday_after(dt.date(2025, 9, 30), 30)
    with freeze_time(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(9, 0), tzinfo=SHANGHAI)):
        before = _snapshot(case)
        with pytest.raises(TransitionNotAllowed, match="申请期限"):
            services.case_review(case=case, actor=None, reason="申请复查理由充分")
        assert _snapshot(case) == before


def test_review_just_inside_window_allowed(world):
    with freeze_time("2025-09-30 02:00:00"):
        case = drive_to(world, Status.CLOSED)
    last_day = _nth_workday_after(dt.date(2025, 9, 30), 30)
    with freeze_time(dt.datetime.combine(last_day, dt.time(20, 0), tzinfo=SHANGHAI)):
        assert services.case_review(case=case, actor=None, reason="申请复查理由充分").appeal_stage == 1


# ---------------------------------------------------------------- escalation (提级)


def test_escalate_raises_level_up_to_city(world):
    case = drive_to(world, Status.ACCEPTED)
    assert case.level == Level.COUNTY
    case = services.case_escalate(case=case, actor=world.dispatcher, reason="跨县事项，需市级协调")
    assert case.level == Level.CITY and case.status == Status.ACCEPTED and case.escalation_count == 1
    before = _snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="市级"):
        services.case_escalate(case=case, actor=world.dispatcher, reason="继续提级")
    assert _snapshot(case) == before


def test_town_handler_escalates_to_county(world):
    case = drive_to(world, Status.IN_PROGRESS, department=world.town_gov)
    assert case.level == Level.TOWN
    case = services.case_escalate(case=case, actor=world.town_handler, reason="涉及县直部门，镇里无法协调")
    assert case.level == Level.COUNTY and case.status == Status.ACCEPTED
    assert case.lead_department is None and case.assignee is None


# ---------------------------------------------------------------- atomicity and audit


def test_failing_audit_write_leaves_case_unchanged(world, monkeypatch):
    case = drive_to(world, Status.REGISTERED)
    before = _snapshot(case)

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_append", broken)
    with pytest.raises(RuntimeError):
        services.case_accept(case=case, actor=world.clerk)
    assert _snapshot(case) == before
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_failing_redo_event_rolls_back_the_evaluation_too(world, monkeypatch):
    case = drive_to(world, Status.REPLIED)
    before = _snapshot(case)
    real, calls = services.audit_append, []

    def second_fails(**kwargs):
        calls.append(kwargs["action"])
        if len(calls) == 2:
            raise RuntimeError("audit store unavailable")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_append", second_fails)
    with pytest.raises(RuntimeError):
        services.case_evaluate(case=case, actor=None, rating=Rating.DISSATISFIED)
    assert _snapshot(case) == before
    assert not case.evaluations.exists()


def _full_loop(world):
    case = drive_to(world, Status.REPLIED)
    case = services.case_evaluate(case=case, actor=None, rating=Rating.DISSATISFIED)
    case = services.case_reply(case=case, actor=world.handler, content=REPLY)
    case = services.case_evaluate(case=case, actor=world.clerk, rating=Rating.SATISFIED)
    case = services.case_close(case=case, actor=world.clerk)
    case = services.case_review(case=case, actor=None, reason="答复未解决实际问题")
    services.case_escalate(case=case, actor=world.dispatcher, reason="需市级协调")
    drive_to(world, Status.REJECTED)
    return case


def test_audit_chain_intact_after_full_loop(world):
    _full_loop(world)
    result = audit_verify()
    assert result.ok and result.checked == AuditEntry.objects.count() >= 12


@pytest.mark.parametrize("field,value", [
    ("data", {"from": "registered", "to": "closed"}),
    ("actor_label", "别人"),
    ("action", "case.close"),
    ("object_id", "999"),
    ("at", dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
    ("hash", "f" * 64),
    ("prev_hash", "0" * 64),
])
def test_altered_audit_entry_is_named(world, field, value):
    _full_loop(world)
    target = AuditEntry.objects.order_by("seq")[4]
    AuditEntry.objects.filter(pk=target.pk).update(**{field: value})
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == target.seq and str(target.seq) in result.reason


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_deleted_audit_entry_is_named(world, which):
    _full_loop(world)
    entries = list(AuditEntry.objects.order_by("seq"))
    target = {"first": entries[0], "middle": entries[len(entries) // 2], "last": entries[-1]}[which]
    AuditEntry.objects.filter(pk=target.pk).delete()
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == target.seq and str(target.seq) in result.reason
