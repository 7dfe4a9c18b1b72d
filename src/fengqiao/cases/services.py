"""Writes on cases. One function per transition; each locks the case, checks, writes an event and
an audit entry, and recomputes deadlines, inside one transaction. Nothing else changes a status."""

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric

from fengqiao.cases import hooks
from fengqiao.cases.models import Attachment, Case, CaseEvent, Category, Evaluation, Petitioner
from fengqiao.cases.permissions import case_check, case_visible_to
from fengqiao.cases.states import LEVEL_ORDER, ROLES_FOR, Action, Channel, Level, Rating, Status
from fengqiao.core import crypto
from fengqiao.core.audit import audit_append
from fengqiao.core.codes import case_number_new, query_code_new
from fengqiao.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from fengqiao.core.workdays import add_workdays
from fengqiao.org.models import Department, Region, RegionLevel, Staff
from fengqiao.org.selectors import region_scope_path

PETITIONER_LABEL = "信访人"
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _text(value: str | None) -> str:
    """Return `value` without NUL characters, which PostgreSQL cannot store in text."""
    return (value or "").replace("\x00", "")


def _limit(name: str) -> int:
    return settings.FENGQIAO_DEADLINES[name]


def level_for_region(region: Region) -> str:
    return {
        RegionLevel.CITY: Level.CITY,
        RegionLevel.COUNTY: Level.COUNTY,
        RegionLevel.TOWN: Level.TOWN,
    }.get(region.level, Level.VILLAGE)


# ---------------------------------------------------------------- petitioners


@dataclass
class PetitionerData:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.id_number or self.phone or self.address)


def petitioner_validate(data: PetitionerData) -> PetitionerData:
    """Return cleaned data, or raise ValidationFailed naming the bad field."""
    clean = PetitionerData(
        name=_text(data.name).strip()[:50],
        id_number=(data.id_number or "").strip().upper().replace(" ", ""),
        phone=(data.phone or "").strip().replace(" ", ""),
        address=_text(data.address).strip()[:200],
    )
    if clean.id_number:
        try:
            ric.validate(clean.id_number)
        except Exception:
            raise ValidationFailed("身份证号码无效（位数、出生日期或校验位不正确）", "invalid resident ID number", code="invalid_id_number")
    if clean.phone and not _PHONE_RE.match(clean.phone):
        raise ValidationFailed("联系电话格式不正确，请填写11位手机号或带区号的座机号", "invalid phone number", code="invalid_phone")
    return clean


def petitioner_upsert(*, data: PetitionerData) -> Petitioner | None:
    """Find the petitioner by ID number, then by phone; create one if none. Fill in what was missing."""
    data = petitioner_validate(data)
    if data.is_empty():
        return None
    id_index = crypto.blind_index(data.id_number)
    phone_index = crypto.blind_index(data.phone)
    person = None
    if id_index:
        person = Petitioner.objects.filter(id_number_index=id_index).first()
    if person is None and phone_index:
        by_phone = Petitioner.objects.filter(phone_index=phone_index)
        if id_index:
            # A shared (household) phone must not merge two people with different ID numbers.
            by_phone = by_phone.filter(id_number_index="")
        person = by_phone.first()
    if person is None:
        person = Petitioner()
    changed = False
    for field, value, masker in (
        ("name", data.name, crypto.mask_name),
        ("id_number", data.id_number, crypto.mask_id_number),
        ("phone", data.phone, crypto.mask_phone),
        ("address", data.address, None),
    ):
        if not value or (person.pk is not None and getattr(person, field) == value):
            continue
        setattr(person, f"{field}_enc", crypto.encrypt(value))
        if masker:
            setattr(person, f"{field}_masked", masker(value))
        if field in ("id_number", "phone"):
            setattr(person, f"{field}_index", crypto.blind_index(value))
        changed = True
    if changed or person.pk is None:
        person.save()
    return person


# ---------------------------------------------------------------- events


def _event(case: Case, action: str, actor: Staff | None, from_status: str, *, note="", public_note="", data=None, at=None):
    at = at or timezone.now()
    label = actor.label if actor else PETITIONER_LABEL
    note = _text(note)
    event = CaseEvent.objects.create(
        case=case, at=at, actor=actor, actor_label=label, action=action, from_status=from_status,
        to_status=case.status, note=note, public_note=public_note, data=data or {},
    )
    audit_append(
        action=f"case.{action}", object_type="case", object_id=case.pk, actor=actor, actor_label=label,
        data={"from": from_status, "to": case.status, "note": note, **(data or {})},
    )
    return event


def _locked(case: Case) -> Case:
    return (Case.objects.select_for_update(of=("self",))
            .select_related("region", "lead_department").get(pk=case.pk))


def _require(text: str, what_zh: str, what_en: str, min_len: int = 1) -> str:
    text = _text(text).strip()
    if len(text) < min_len:
        raise ValidationFailed(f"请填写{what_zh}" + (f"（至少{min_len}个字）" if min_len > 1 else ""), f"{what_en} is required")
    return text


# ---------------------------------------------------------------- intake


def case_register(
    *,
    title: str,
    content: str,
    channel: str,
    region: Region,
    actor: Staff | None,
    petitioner: PetitionerData | None = None,
    category: Category | None = None,
    idempotency_key: str | None = None,
    source_ref: str = "",
    created_at: dt.datetime | None = None,
    support_count: int = 0,
    oppose_count: int = 0,
    accused_department: Department | None = None,
    accused_staff: Staff | None = None,
) -> tuple[Case, bool]:
    """Register a case; return (case, created). A repeated idempotency key returns the first case."""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    title = _require(title, "标题", "title")
    content = _require(content, "诉求内容", "content", min_len=5)
    if len(title) > 200:
        raise ValidationFailed("标题不能超过200字", "title longer than 200 characters")
    if len(content) > 20000:
        raise ValidationFailed("诉求内容不能超过20000字", "content longer than 20000 characters")
    if channel not in Channel.values:
        raise ValidationFailed(f"未知的渠道：{channel}", f"unknown channel: {channel}")
    if actor is not None:
        case_check_intake(actor, region)
    now = created_at or timezone.now()
    try:
        with transaction.atomic():
            person = petitioner_upsert(data=petitioner) if petitioner else None
            case = Case.objects.create(
                number=case_number_new(timezone.localtime(now).year),
                query_code=query_code_new(),
                channel=channel,
                title=title,
                content=content,
                region=region,
                category=category,
                level=level_for_region(region),
                petitioner=person,
                registered_by=actor,
                created_at=now,
                accept_due_at=add_workdays(timezone.localtime(now), _limit("accept")),
                idempotency_key=idempotency_key or None,
                source_ref=_text(source_ref),
                support_count=support_count,
                oppose_count=oppose_count,
                accused_department=accused_department,
                accused_staff=accused_staff,
            )
            case.due_at = case.accept_due_at
            case.save(update_fields=["due_at"])
            _event(
                case, Action.REGISTER, actor, "", at=now,
                note=f"经{Channel(channel).label}登记",
                public_note=f"您的诉求已登记（{Channel(channel).label}），编号 {case.number}",
            )
            hooks.emit(hooks.REGISTERED, case_id=case.pk)
    except IntegrityError:
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing:
                return existing, False
        raise
    return case, True


def case_check_intake(actor: Staff, region: Region) -> None:
    if actor.role not in ROLES_FOR[Action.REGISTER] and not actor.is_superuser:
        raise NotPermitted(f"“{actor.get_role_display()}”角色不能登记案件", f"role '{actor.role}' may not register cases")
    scope = region_scope_path(actor)
    if not region.path.startswith(scope) and not scope.startswith(region.path):
        raise NotPermitted("该地区不在您的管辖范围内", "region is outside your jurisdiction")


# ---------------------------------------------------------------- transitions


def case_accept(
    *, case: Case, actor: Staff, note: str = "", category: Category | None = None,
    accused_department: Department | None = None, accused_staff: Staff | None = None,
) -> Case:
    """Accept; the clerk may record the unit or official the case complains about, which then never
    handles nor sees it."""
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.ACCEPT, actor)
        if accused_department is not None:
            case.accused_department = accused_department
        if accused_staff is not None:
            case.accused_staff = accused_staff
        now = timezone.now()
        previous = case.status
        case.status = Status.ACCEPTED
        case.accepted_at = now
        case.resolve_due_at = add_workdays(timezone.localtime(now), _limit("resolve"))
        case.due_at = case.resolve_due_at
        if category is not None:
            case.category = category
        case.save()
        _event(case, Action.ACCEPT, actor, previous, note=note,
               public_note=f"已受理，办理期限至 {timezone.localtime(case.resolve_due_at):%Y-%m-%d}")
        hooks.emit(hooks.ACCEPTED, case_id=case.pk)
    return case


def case_reject(*, case: Case, actor: Staff, reason: str) -> Case:
    reason = _require(reason, "不予受理的理由", "reason")
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.REJECT, actor)
        previous = case.status
        case.status = Status.REJECTED
        case.closed_at = timezone.now()
        case.due_at = None
        case.save()
        _event(case, Action.REJECT, actor, previous, note=reason, public_note=f"不予受理：{reason}")
    return case


def _department_in_scope(actor: Staff, department: Department) -> None:
    if not department.active:
        raise ValidationFailed(f"单位“{department.name}”已停用", "department is inactive")
    scope = region_scope_path(actor)
    if not department.region.path.startswith(scope):
        raise NotPermitted(f"单位“{department.name}”不在您的管辖范围内", "department is outside your jurisdiction")


def case_conflict_check(case: Case, department: Department) -> None:
    """Refuse to hand a case to the unit it complains about, or to the unit of the official it names."""
    accused_units = {case.accused_department_id}
    if case.accused_staff_id:
        accused_units.add(Staff.objects.filter(pk=case.accused_staff_id).values_list("department_id", flat=True).first())
    if department.pk in accused_units - {None}:
        raise NotPermitted(
            f"该案件反映的是“{department.name}”或其工作人员，依照《信访工作条例》不得交由其办理",
            "the case complains about this department or its staff and may not be routed to it",
            code="conflict_of_interest",
        )


def case_dispatch(
    *, case: Case, actor: Staff, department: Department, co_departments: list[Department] = (), note: str = "",
    category: Category | None = None,
) -> Case:
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.DISPATCH, actor)
        _department_in_scope(actor, department)
        case_conflict_check(case, department)
        co = [d for d in co_departments if d.pk != department.pk]
        for d in co:
            _department_in_scope(actor, d)
            case_conflict_check(case, d)
        previous = case.status
        case.status = Status.DISPATCHED
        case.lead_department = department
        case.assignee = None
        case.dispatched_at = timezone.now()
        case.level = level_for_region(department.region)
        if category is not None:
            case.category = category
        if case.resolve_due_at is None:
            case.resolve_due_at = add_workdays(timezone.localtime(), _limit("resolve"))
        case.due_at = case.resolve_due_at
        case.save()
        case.co_departments.set(co)
        co_names = "、".join(d.name for d in co)
        _event(
            case, Action.DISPATCH, actor, previous, note=note,
            public_note=f"已交办至{department.name}" + (f"，协办：{co_names}" if co_names else ""),
            data={"department_id": department.pk, "co_department_ids": [d.pk for d in co],
                  "category_id": case.category_id},
        )
        hooks.emit(hooks.DISPATCHED, case_id=case.pk, category_id=case.category_id, actor_id=actor.pk)
    return case


def case_claim(*, case: Case, actor: Staff) -> Case:
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.CLAIM, actor)
        previous = case.status
        case.status = Status.IN_PROGRESS
        case.assignee = actor
        case.save()
        _event(case, Action.CLAIM, actor, previous, public_note=f"{case.lead_department.name}已签收，正在办理")
    return case


def case_return(*, case: Case, actor: Staff, reason: str) -> Case:
    reason = _require(reason, "退单理由", "reason")
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.RETURN, actor)
        previous = case.status
        department = case.lead_department
        case.status = Status.RETURNED
        case.assignee = None
        case.return_count += 1
        case.save()
        _event(case, Action.RETURN, actor, previous, note=reason, data={"department_id": department.pk if department else None})
    return case


def case_escalate(*, case: Case, actor: Staff, reason: str) -> Case:
    reason = _require(reason, "提级理由", "reason")
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.ESCALATE, actor)
        index = LEVEL_ORDER.index(Level(case.level))
        if index + 1 >= len(LEVEL_ORDER):
            raise TransitionNotAllowed("案件已在市级办理，不能再提级", "case is already handled at city level")
        previous = case.status
        new_level = LEVEL_ORDER[index + 1]
        case.level = new_level
        case.status = Status.ACCEPTED
        case.lead_department = None
        case.assignee = None
        case.escalation_count += 1
        case.save()
        case.co_departments.clear()
        _event(case, Action.ESCALATE, actor, previous, note=reason,
               public_note=f"已提级至{Level(new_level).label}办理", data={"level": new_level})
    return case


def case_extend(*, case: Case, actor: Staff, days: int, reason: str) -> Case:
    reason = _require(reason, "延期理由", "reason")
    limit = _limit("extension_max")
    if not 1 <= int(days) <= limit:
        raise ValidationFailed(f"延期天数须在1到{limit}个工作日之间", f"extension must be 1..{limit} working days")
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.EXTEND, actor)
        if case.extension_count >= 1:
            raise TransitionNotAllowed("该案件已延期过一次，不能再次延期", "a case may be extended only once")
        previous = case.status
        case.resolve_due_at = add_workdays(timezone.localtime(case.resolve_due_at or timezone.now()), int(days))
        case.due_at = case.resolve_due_at
        case.extension_count += 1
        case.save()
        _event(case, Action.EXTEND, actor, previous, note=reason,
               public_note=f"经批准延期{days}个工作日，办理期限至 {timezone.localtime(case.resolve_due_at):%Y-%m-%d}",
               data={"days": int(days)})
    return case


def case_reply(*, case: Case, actor: Staff, content: str) -> Case:
    content = _require(content, "答复意见", "reply content", min_len=5)
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.REPLY, actor)
        previous = case.status
        case.status = Status.REPLIED
        case.reply_content = content
        case.replied_at = timezone.now()
        case.due_at = None
        case.save()
        _event(case, Action.REPLY, actor, previous, note=content, public_note=f"答复意见：{content}")
    return case


def case_evaluate(*, case: Case, actor: Staff | None, rating: str, comment: str = "") -> Case:
    """Record the petitioner's rating (actor None: by the petitioner; a staff actor: by follow-up call).
    A first dissatisfied rating sends the case back to the lead department for re-handling (重办)."""
    if rating not in Rating.values:
        raise ValidationFailed("评价须为：满意、基本满意或不满意", "rating must be satisfied, basically_satisfied or dissatisfied")
    comment = _text(comment).strip()[:2000]
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.EVALUATE, actor)
        previous = case.status
        now = timezone.now()
        Evaluation.objects.create(case=case, rating=rating, comment=comment, at=now, by_petitioner=actor is None, round=case.redo_count)
        case.last_rating = rating
        redo = rating == Rating.DISSATISFIED and case.redo_count == 0
        case.status = Status.EVALUATED
        case.save()
        _event(case, Action.EVALUATE, actor, previous, note=comment,
               public_note=f"评价：{Rating(rating).label}", data={"rating": rating})
        if redo:
            case.status = Status.IN_PROGRESS
            case.redo_count += 1
            case.resolve_due_at = add_workdays(timezone.localtime(now), _limit("accept"))
            case.due_at = case.resolve_due_at
            case.replied_at = None
            case.save()
            _event(case, Action.REDO, actor, Status.EVALUATED,
                   public_note="因评价不满意，已退回承办单位重新办理")
    return case


def case_close(*, case: Case, actor: Staff, note: str = "") -> Case:
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.CLOSE, actor)
        previous = case.status
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.due_at = None
        case.save()
        _event(case, Action.CLOSE, actor, previous, note=note, public_note="已办结")
    return case


def case_review(*, case: Case, actor: Staff | None, reason: str) -> Case:
    """复查 then 复核: the petitioner appeals a closed case within the appeal window after the reply."""
    reason = _require(reason, "申请理由", "reason", min_len=5)
    with transaction.atomic():
        case = _locked(case)
        case_check(case, Action.REVIEW, actor)
        if case.appeal_stage >= 2:
            raise TransitionNotAllowed("已经过复查和复核，不能再申请", "review and re-review have both been used")
        replied = case.replied_at or case.closed_at
        if replied and add_workdays(timezone.localtime(replied), _limit("appeal_window")) < timezone.now():
            raise TransitionNotAllowed(
                f"已超过答复后{_limit('appeal_window')}个工作日的申请期限", "the appeal window after the reply has passed"
            )
        previous = case.status
        case.appeal_stage += 1
        stage = "复查" if case.appeal_stage == 1 else "复核"
        case.status = Status.ACCEPTED
        case.lead_department = None
        case.assignee = None
        case.closed_at = None
        case.resolve_due_at = add_workdays(timezone.localtime(), _limit("review"))
        case.due_at = case.resolve_due_at
        case.save()
        case.co_departments.clear()
        _event(case, Action.REVIEW, actor, previous, note=reason, public_note=f"已申请{stage}，将重新办理",
               data={"appeal_stage": case.appeal_stage})
    return case


# ---------------------------------------------------------------- attachments

ALLOWED_UPLOADS = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def attachment_add(*, case: Case, actor: Staff | None, uploaded) -> Attachment:
    """Store an upload whose real type (by its first bytes) is JPEG, PNG or PDF and size within the cap."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("附件不能超过10MB", "attachment larger than 10 MB")
    head = uploaded.read(16)
    uploaded.seek(0)
    kind = next((v for magic, v in ALLOWED_UPLOADS.items() if head.startswith(magic)), None)
    if kind is None:
        raise ValidationFailed("只接受 JPG、PNG 图片或 PDF 文件", "only JPEG, PNG or PDF files are accepted")
    if actor is not None:
        case_check(case, Action.ATTACH, actor)
    with transaction.atomic():
        att = Attachment(
            case=case, stored_name=secrets.token_hex(16) + kind[1], original_name=uploaded.name[:200],
            content_type=kind[0], size=uploaded.size, uploaded_by=actor, at=timezone.now(),
        )
        att.file.save(att.stored_name, uploaded, save=False)
        att.save()
        _event(case, Action.ATTACH, actor, case.status, note=att.original_name)
    return att


def case_reveal_petitioner(*, case: Case, actor: Staff, reason: str) -> dict:
    """Return the petitioner's personal data in clear; every reveal is audited."""
    reason = _require(reason, "查看理由", "reason")
    if actor.role not in ROLES_FOR[Action.REVEAL] or not case_visible_to(case, actor):
        raise NotPermitted("您无权查看该信访人的个人信息", "you may not see this petitioner's personal data")
    p = case.petitioner
    if p is None:
        return {}
    audit_append(action="petitioner.reveal", object_type="petitioner", object_id=p.pk, actor=actor,
                 actor_label=actor.label, data={"case": case.pk, "reason": reason})
    return {"name": p.name, "id_number": p.id_number, "phone": p.phone, "address": p.address}
