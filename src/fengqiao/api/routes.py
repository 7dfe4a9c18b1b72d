"""The JSON API under /api/v1. Thin: parse, call one service or selector, shape the answer."""

import hashlib
import json

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Body, NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from fengqiao.api import schemas as s
from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case, Category
from fengqiao.cases.permissions import case_actions_available
from fengqiao.cases.states import Channel, Status
from fengqiao.core.crypto import mask_pii_in_text
from fengqiao.core.errors import DomainError, NotFound, ValidationFailed
from fengqiao.org.models import Department
from fengqiao.org.selectors import department_list, region_by_code, region_default, staff_from_token


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        staff = staff_from_token(token)
        if staff is not None:
            request.user = staff
        return staff


api = NinjaAPI(
    title="Fengqiao API",
    version="1",
    description="信访、12345 工单与矛盾纠纷的受理、交办、办理、答复、评价与办结。Intake, dispatch, handling, reply, evaluation and closure.",
    urls_namespace="api",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    fields = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path"))
        fields.append({"field": loc, "message": err.get("msg", "")})
    names = "、".join(f["field"] for f in fields if f["field"]) or "请求"
    body = {"detail": f"输入有误：{names}", "detail_en": "invalid input", "code": "validation_failed", "errors": fields}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    body = {"detail": "需要有效的访问令牌（Authorization: Bearer <token>）", "detail_en": "a valid bearer token is required", "code": "unauthorized"}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        body = {"detail": "请求内容不是有效的 JSON", "detail_en": "the request body is not valid JSON", "code": "invalid_json"}
        return api.create_response(request, body, status=400)
    return api.create_response(request, {"detail": str(exc), "detail_en": str(exc), "code": "error"}, status=exc.status_code)


ERRORS = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}

# ---------------------------------------------------------------- public

public = Router(tags=["public"])


def _public_out(case: Case) -> dict:
    return {
        "query_code": case.query_code,
        "number": case.number,
        "title": mask_pii_in_text(case.title),
        "content": mask_pii_in_text(case.content),
        "channel": case.channel,
        "status": case.status,
        "status_label": Status(case.status).label,
        "region": case.region.name,
        "created_at": case.created_at,
        "reply": mask_pii_in_text(case.reply_content) if case.status in ("replied", "evaluated", "closed") else "",
        "rating": case.last_rating,
        "can_evaluate": case.status == Status.REPLIED,
        "can_appeal": case.status == Status.CLOSED and case.appeal_stage < 2,
        "timeline": [{**t, "note": mask_pii_in_text(t["note"])} for t in selectors.case_events_public(case)],
    }


def _region_or_default(code: str | None):
    if code:
        region = region_by_code(code)
        if region is None:
            raise ValidationFailed(f"地区代码不存在：{code}", f"unknown region code: {code}")
        return region
    region = region_default()
    if region is None:
        raise ValidationFailed("系统尚未配置地区", "no regions are configured")
    return region


@public.post("/cases", response={201: s.PublicCaseOut, **ERRORS}, auth=None)
def public_case_create(request: HttpRequest, payload: s.PublicCaseIn):
    case, created = services.case_register(
        title=payload.title,
        content=payload.content,
        channel=payload.channel or Channel.ONLINE,
        region=_region_or_default(payload.region_code),
        actor=None,
        petitioner=services.PetitionerData(
            name=payload.name or "", phone=payload.phone or "", id_number=payload.id_number or "", address=payload.address or ""
        ),
        idempotency_key=_idempotency_key(request, "public", payload),
    )
    return 201, _public_out(case)


def _idempotency_key(request: HttpRequest, scope: str, payload: s.Schema | None = None) -> str | None:
    """Return the scoped key. Anonymous keys are bound to the payload, so that sending somebody
    else's key (all public clients share one scope) never returns their case."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 100:
        raise ValidationFailed("Idempotency-Key 不能超过100个字符", "Idempotency-Key longer than 100 characters")
    if payload is not None:
        body = json.dumps([key, payload.model_dump()], ensure_ascii=False, sort_keys=True, default=str)
        return f"{scope}:{hashlib.sha256(body.encode()).hexdigest()}"
    return f"{scope}:{key}"


@public.get("/cases/{query_code}", response={200: s.PublicCaseOut, **ERRORS}, auth=None)
def public_case_get(request, query_code: str):
    return _public_out(selectors.case_get_public(query_code=query_code))


@public.post("/cases/{query_code}/evaluation", response={200: s.PublicCaseOut, **ERRORS}, auth=None)
def public_case_evaluate(request, query_code: str, payload: s.EvaluationIn):
    case = selectors.case_get_public(query_code=query_code)
    case = services.case_evaluate(case=case, actor=None, rating=payload.rating, comment=payload.comment or "")
    return _public_out(case)


@public.post("/cases/{query_code}/appeal", response={200: s.PublicCaseOut, **ERRORS}, auth=None)
def public_case_appeal(request, query_code: str, payload: s.AppealIn):
    case = selectors.case_get_public(query_code=query_code)
    case = services.case_review(case=case, actor=None, reason=payload.reason)
    return _public_out(case)


# ---------------------------------------------------------------- staff

staff = Router(tags=["staff"], auth=BearerAuth())


def _department_out(d: Department | None) -> dict | None:
    if d is None:
        return None
    return {"id": d.pk, "name": d.name, "kind": d.kind, "region_code": d.region.code, "region_name": d.region.name}


def _case_out(case: Case, user, actions: list[str] | None = None) -> dict:
    p = case.petitioner
    return {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "title": case.title,
        "content": case.content,
        "channel": case.channel,
        "status": case.status,
        "status_label": Status(case.status).label,
        "level": case.level,
        "region": {"code": case.region.code, "name": case.region.name, "level": case.region.level},
        "category": case.category.path if case.category_id else None,
        "lead_department": _department_out(case.lead_department),
        "co_departments": [_department_out(d) for d in case.co_departments.all()],
        "petitioner": {"name": p.name_masked, "phone": p.phone_masked, "id_number": p.id_number_masked} if p else None,
        "created_at": case.created_at,
        "accept_due_at": case.accept_due_at,
        "resolve_due_at": case.resolve_due_at,
        "due_at": case.due_at,
        "colour": selectors.deadline_colour(case),
        "reply": case.reply_content,
        "last_rating": case.last_rating,
        "redo_count": case.redo_count,
        "extension_count": case.extension_count,
        "appeal_stage": case.appeal_stage,
        "actions": actions if actions is not None else case_actions_available(case, user),
    }


class CaseQuery(s.Schema):
    status: str = ""
    channel: str = ""
    query_code: str = ""
    number: str = ""
    q: str = ""
    region_code: str = ""
    department_id: int | None = None
    colour: str = ""
    mine: bool = False
    page: int = 1
    page_size: int = 30


@staff.get("/cases", response={200: s.CaseListOut, **ERRORS})
def case_list(request, filters: Query[CaseQuery]):
    f = selectors.CaseFilters(**filters.dict(exclude={"page", "page_size"}))
    qs = selectors.case_list(staff=request.auth, filters=f).select_related("lead_department__region").prefetch_related(
        Prefetch("co_departments", queryset=Department.objects.select_related("region"))
    )
    page = selectors.case_page(qs, filters.page, max(1, min(filters.page_size, 200)))
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_case_out(c, request.auth, actions=[]) for c in page.object_list],
    }


@staff.post("/cases", response={201: s.CaseOut, **ERRORS})
def staff_case_create(request, payload: s.StaffCaseIn):
    category = Category.objects.filter(pk=payload.category_id).first() if payload.category_id else None
    region = _region_or_default(payload.region_code) if payload.region_code else (request.auth.region or _region_or_default(None))
    case, _ = services.case_register(
        title=payload.title,
        content=payload.content,
        channel=payload.channel or Channel.VISIT,
        region=region,
        actor=request.auth,
        category=category,
        petitioner=services.PetitionerData(
            name=payload.name or "", phone=payload.phone or "", id_number=payload.id_number or "", address=payload.address or ""
        ),
        idempotency_key=_idempotency_key(request, f"staff{request.auth.pk}"),
        accused_department=_department(payload.accused_department_id) if payload.accused_department_id else None,
    )
    return 201, _case_out(case, request.auth)


@staff.get("/cases/{case_id}", response={200: s.CaseOut, **ERRORS})
def case_detail(request, case_id: int):
    return _case_out(selectors.case_get(staff=request.auth, case_id=case_id), request.auth)


@staff.get("/cases/{case_id}/events", response={200: list[s.EventOut], **ERRORS})
def case_events(request, case_id: int):
    case = selectors.case_get(staff=request.auth, case_id=case_id)
    return [
        {"id": e.pk, "at": e.at, "action": e.action, "action_label": e.get_action_display(), "actor": e.actor_label,
         "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "data": e.data}
        for e in selectors.case_events(case)
    ]


@staff.get("/departments", response={200: list[s.DepartmentOut], **ERRORS})
def departments(request):
    return [_department_out(d) for d in department_list(staff=request.auth)]


def _department(pk: int) -> Department:
    d = Department.objects.select_related("region").filter(pk=pk).first()
    if d is None:
        raise NotFound(f"单位不存在：{pk}", f"department {pk} not found")
    return d


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    c = Category.objects.filter(pk=pk).first()
    if c is None:
        raise NotFound(f"分类不存在：{pk}", f"category {pk} not found")
    return c


def _case_for(request, case_id: int) -> Case:
    return selectors.case_get(staff=request.auth, case_id=case_id)


def _transition(path: str, schema, call):
    """Register POST /cases/{id}/<path> that parses `schema` and calls one service.
    When every field of `schema` is optional, the body may be left out altogether."""
    optional = not any(f.is_required() for f in schema.model_fields.values())

    def view(request, case_id: int, payload: schema = Body(None) if optional else Body(...)):  # type: ignore[valid-type]
        case = call(_case_for(request, case_id), request.auth, payload if payload is not None else schema())
        case = Case.objects.select_related("region", "category", "lead_department__region", "petitioner").get(pk=case.pk)
        return _case_out(case, request.auth)

    view.__name__ = f"case_{path}"
    staff.post(f"/cases/{{case_id}}/{path}", response={200: s.CaseOut, **ERRORS}, operation_id=f"case_{path}")(view)


_transition("accept", s.AcceptIn, lambda c, a, p: services.case_accept(
    case=c, actor=a, note=p.note or "", category=_category(p.category_id),
    accused_department=_department(p.accused_department_id) if p.accused_department_id else None))
_transition("reject", s.ReasonIn, lambda c, a, p: services.case_reject(case=c, actor=a, reason=p.reason))
_transition("dispatch", s.DispatchIn, lambda c, a, p: services.case_dispatch(
    case=c, actor=a, department=_department(p.department_id),
    co_departments=[_department(i) for i in p.co_department_ids], note=p.note or "", category=_category(p.category_id)))
_transition("claim", s.NoteIn, lambda c, a, p: services.case_claim(case=c, actor=a))
_transition("return", s.ReasonIn, lambda c, a, p: services.case_return(case=c, actor=a, reason=p.reason))
_transition("escalate", s.ReasonIn, lambda c, a, p: services.case_escalate(case=c, actor=a, reason=p.reason))
_transition("extend", s.ExtendIn, lambda c, a, p: services.case_extend(case=c, actor=a, days=p.days, reason=p.reason))
_transition("reply", s.ReplyIn, lambda c, a, p: services.case_reply(case=c, actor=a, content=p.content))
_transition("evaluate", s.StaffEvaluationIn, lambda c, a, p: services.case_evaluate(case=c, actor=a, rating=p.rating, comment=p.comment or ""))
_transition("close", s.NoteIn, lambda c, a, p: services.case_close(case=c, actor=a, note=p.note or ""))
_transition("review", s.ReasonIn, lambda c, a, p: services.case_review(case=c, actor=a, reason=p.reason))

@staff.get("/cases/{case_id}/insight", response={200: s.InsightOut, **ERRORS})
def case_insight(request, case_id: int):
    """研判: routing suggestions with reasons, similar cases, repeat and skip-level flags, risk."""
    from fengqiao.analysis.services import case_insight_get

    insight = case_insight_get(case=selectors.case_get(staff=request.auth, case_id=case_id))
    return {f: getattr(insight, f) for f in
            ("suggestions", "similar", "is_repeat", "is_skip_level", "flag_reasons", "risk_level", "risk_reasons")}


@staff.get("/topics", response={200: list[s.TopicOut], **ERRORS})
def topics(request, month: str = ""):
    """The month's problem list (YYYY-MM; default this month), hottest first."""
    from fengqiao.analysis.selectors import month_parse, topics_for_month

    year, number = month_parse(month)
    return topics_for_month(staff=request.auth, year=year, month=number)


api.add_router("/public", public)
api.add_router("/", staff)
