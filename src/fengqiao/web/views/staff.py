"""The staff console: the queue, intake, the case page with one form per allowed action, export."""

import logging
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.cases import selectors, services
from fengqiao.cases.permissions import case_actions_available, case_check
from fengqiao.cases.states import OPEN_STATUSES, Action
from fengqiao.core.errors import DomainError, NotFound
from fengqiao.org.models import Department
from fengqiao.org.selectors import department_list, responsibility_lookup
from fengqiao.web import forms as f
from fengqiao.web.views.common import form_add_domain_error, is_htmx

# ---------------------------------------------------------------- queue


def _queue_filters(request) -> tuple[f.QueueFilterForm, selectors.CaseFilters]:
    form = f.QueueFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if status == "":
        status = selectors.case_queue_default_status(request.user)
    elif status == "open":
        status = ",".join(sorted(OPEN_STATUSES))
    elif status == "all":
        status = ""
    code = (data.get("code") or "").strip()
    is_number = code.upper().startswith("FQ") or code.isdigit()
    filters = selectors.CaseFilters(
        status=status,
        channel=data.get("channel", ""),
        q=data.get("q", ""),
        colour=data.get("colour", ""),
        mine=bool(data.get("mine")),
        number=code.upper() if is_number else "",
        query_code=code if code and not is_number else "",
    )
    return form, filters


@login_required
@require_GET
def queue(request):
    form, filters = _queue_filters(request)
    qs = selectors.case_list(staff=request.user, filters=filters)
    counts_filters = selectors.CaseFilters(**{**filters.__dict__, "colour": ""})
    page = selectors.case_page(qs, request.GET.get("page") or 1)
    rows = [{"case": c, "colour": selectors.deadline_colour(c)} for c in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": selectors.case_colour_counts(selectors.case_list(staff=request.user, filters=counts_filters)),
        "export_query": request.GET.urlencode(),
    }
    template = "web/staff/_queue_results.html" if is_htmx(request) else "web/staff/queue.html"
    return render(request, template, context)


@login_required
@require_GET
def export(request):
    from fengqiao.cases.exports import case_export_xlsx

    _, filters = _queue_filters(request)
    content = case_export_xlsx(selectors.case_list(staff=request.user, filters=filters))
    name = f"案件导出-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=\"cases.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------- intake


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    if request.method == "GET":
        return render(request, "web/staff/intake.html", {"form": f.IntakeForm(staff=request.user)})
    form = f.IntakeForm(request.POST, staff=request.user)
    if not form.is_valid():
        return render(request, "web/staff/intake.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        case, created = services.case_register(
            title=data["title"],
            content=data["content"],
            channel=data["channel"],
            region=data["region"],
            actor=request.user,
            category=data["category"],
            petitioner=services.PetitionerData(
                name=data["name"], phone=data["phone"], id_number=data["id_number"], address=data["address"]
            ),
            idempotency_key=f"web-staff{request.user.pk}:{data['form_key']}" if data["form_key"] else None,
        )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return render(request, "web/staff/intake.html", {"form": form}, status=exc.status_code)
    if created:
        messages.success(request, f"已登记，编号 {case.number}，查询码 {case.query_code}（请告知信访人）")
    return redirect("web:case", case_id=case.pk)


@login_required
@require_GET
def intake_lookup(request):
    cases = selectors.petitioner_cases(
        staff=request.user, phone=request.GET.get("phone", "")[:20], id_number=request.GET.get("id_number", "")[:18]
    )[:20]
    return render(request, "web/staff/_petitioner_cases.html", {"cases": cases})


# ---------------------------------------------------------------- the case page

SUCCESS = {
    Action.ACCEPT: "已受理",
    Action.REJECT: "已决定不予受理",
    Action.DISPATCH: "已交办",
    Action.CLAIM: "已签收，请及时办理",
    Action.RETURN: "已退单",
    Action.ESCALATE: "已提级办理",
    Action.EXTEND: "已延期",
    Action.REPLY: "已答复",
    Action.EVALUATE: "已记录回访评价",
    Action.CLOSE: "已办结",
    Action.REVIEW: "已登记复查/复核申请",
}


def _action_form(action: str, case, user, data=None, insight=None):
    if action == Action.ACCEPT:
        return f.AcceptForm(data, case=case, auto_id=f"id_{action}_%s")
    if action == Action.DISPATCH:
        suggested, category_id = None, case.category_id
        if data is None:
            suggested = responsibility_lookup(category=case.category, region=case.region)
            top = insight.suggestions[0] if insight and insight.suggestions and not case.category_id else None
            if top and top.get("category_id"):
                category_id = top["category_id"]
                suggested = Department.objects.filter(pk=top.get("department_id")).first() or suggested
        if suggested is not None and suggested.pk == case.accused_department_id:
            suggested = None
        return f.DispatchForm(data, departments=department_list(staff=user), suggested=suggested, case=case,
                              category_id=category_id, auto_id=f"id_{action}_%s")
    form_class = {
        Action.REJECT: f.ReasonForm,
        Action.CLAIM: f.EmptyForm,
        Action.RETURN: f.ReasonForm,
        Action.ESCALATE: f.ReasonForm,
        Action.EXTEND: f.ExtendForm,
        Action.REPLY: f.ReplyForm,
        Action.EVALUATE: f.StaffEvaluationForm,
        Action.CLOSE: f.NoteForm,
        Action.REVIEW: f.ReasonForm,
    }[action]
    return form_class(data, auto_id=f"id_{action}_%s")


def _run_action(action: str, case, user, d: dict):
    if action == Action.ACCEPT:
        return services.case_accept(case=case, actor=user, note=d["note"], category=d["category"],
                                    accused_department=d["accused_department"])
    if action == Action.REJECT:
        return services.case_reject(case=case, actor=user, reason=d["reason"])
    if action == Action.DISPATCH:
        return services.case_dispatch(
            case=case, actor=user, department=d["department"], co_departments=list(d["co_departments"]),
            note=d["note"], category=d["category"],
        )
    if action == Action.CLAIM:
        return services.case_claim(case=case, actor=user)
    if action == Action.RETURN:
        return services.case_return(case=case, actor=user, reason=d["reason"])
    if action == Action.ESCALATE:
        return services.case_escalate(case=case, actor=user, reason=d["reason"])
    if action == Action.EXTEND:
        return services.case_extend(case=case, actor=user, days=d["days"], reason=d["reason"])
    if action == Action.REPLY:
        return services.case_reply(case=case, actor=user, content=d["content"])
    if action == Action.EVALUATE:
        return services.case_evaluate(case=case, actor=user, rating=d["rating"], comment=d["comment"])
    if action == Action.CLOSE:
        return services.case_close(case=case, actor=user, note=d["note"])
    if action == Action.REVIEW:
        return services.case_review(case=case, actor=user, reason=d["reason"])
    raise Http404


def _case_or_404(user, case_id: int):
    try:
        return selectors.case_get(staff=user, case_id=case_id)
    except NotFound:
        raise Http404


def _insight(case):
    """Return the case's analysis; a failure of the analysis never breaks the case page."""
    from fengqiao.analysis.services import case_insight_get

    try:
        return case_insight_get(case=case)
    except Exception:
        logging.getLogger(__name__).exception("analysis failed for case %s", case.pk)
        return None


def _case_page(request, case, *, bound: dict | None = None, revealed=None, reveal_form=None, error="", status=200):
    bound = bound or {}
    actions = case_actions_available(case, request.user)
    insight = _insight(case)
    action_forms = [
        {"action": a, "label": Action(a).label, "form": bound.get(a) or _action_form(a, case, request.user, insight=insight)}
        for a in actions
    ]
    context = {
        "case": case,
        "colour": selectors.deadline_colour(case),
        "action_forms": action_forms,
        "open_action": next(iter(bound), ""),
        "events": selectors.case_events(case),
        "insight": insight,
        "evaluations": case.evaluations.order_by("at"),
        "attachments": case.attachments.order_by("at"),
        "co_departments": case.co_departments.all(),
        "can_reveal": selectors.case_reveal_allowed(case=case, staff=request.user),
        "reveal_form": reveal_form or f.RevealForm(auto_id="id_reveal_%s"),
        "revealed": revealed,
        "can_attach": _may(case, request.user, Action.ATTACH),
        "attachment_form": f.AttachmentForm(),
        # A refusal shows in its form when the form is still offered, else at the top of the page.
        "error": error if not bound or next(iter(bound)) not in actions else "",
    }
    return render(request, "web/staff/case.html", context, status=status)


def _may(case, user, action: str) -> bool:
    try:
        case_check(case, action, user)
    except DomainError:
        return False
    return True


@login_required
@require_GET
def case_detail(request, case_id: int):
    return _case_page(request, _case_or_404(request.user, case_id))


@login_required
@require_POST
def case_action(request, case_id: int, action: str):
    if action not in SUCCESS:
        raise Http404
    case = _case_or_404(request.user, case_id)
    form = _action_form(action, case, request.user, data=request.POST)
    if not form.is_valid():
        return _case_page(request, case, bound={action: form}, status=400)
    try:
        _run_action(action, case, request.user, form.cleaned_data)
    except DomainError as exc:
        form_add_domain_error(form, exc)
        case = _case_or_404(request.user, case_id)
        return _case_page(request, case, bound={action: form}, error=exc.message, status=exc.status_code)
    messages.success(request, SUCCESS[action])
    try:
        selectors.case_get(staff=request.user, case_id=case_id)
    except NotFound:  # e.g. returned by a handler: the case has left their department
        return redirect("web:queue")
    return redirect("web:case", case_id=case_id)


@login_required
@require_POST
def case_reveal(request, case_id: int):
    case = _case_or_404(request.user, case_id)
    form = f.RevealForm(request.POST, auto_id="id_reveal_%s")
    if not form.is_valid():
        return _case_page(request, case, reveal_form=form, status=400)
    try:
        revealed = services.case_reveal_petitioner(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return _case_page(request, case, reveal_form=form, status=exc.status_code)
    response = _case_page(request, case, revealed=revealed)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def case_attach(request, case_id: int):
    case = _case_or_404(request.user, case_id)
    form = f.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(case=case, actor=request.user, uploaded=form.cleaned_data["file"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "附件已上传")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("web:case", case_id=case_id)


@login_required
@require_GET
def attachment_download(request, case_id: int, attachment_id: int):
    case = _case_or_404(request.user, case_id)
    try:
        attachment = selectors.case_attachment_get(case=case, attachment_id=attachment_id)
    except NotFound:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
