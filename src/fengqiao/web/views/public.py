"""The public portal: raise a matter, follow it with the query code, rate the answer, appeal."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.cases import selectors, services
from fengqiao.cases.states import Channel, Status
from fengqiao.core.errors import DomainError, NotFound, ValidationFailed
from fengqiao.org.selectors import region_default
from fengqiao.web.forms import AppealForm, EvaluationForm, SubmitForm, TrackForm
from fengqiao.web.views.common import form_add_domain_error


def home(request):
    return render(request, "web/public/home.html", {"track_form": TrackForm()})


@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        return render(request, "web/public/submit.html", {"form": SubmitForm()})
    form = SubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "web/public/submit.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        region = data["region"] or region_default()
        if region is None:
            raise ValidationFailed("系统尚未配置地区，暂时无法提交，请拨打热线反映", "no regions are configured")
        case, created = services.case_register(
            title=data["title"],
            content=data["content"],
            channel=Channel.ONLINE,
            region=region,
            actor=None,
            petitioner=services.PetitionerData(
                name=data["name"], phone=data["phone"], id_number=data["id_number"], address=data["address"]
            ),
            idempotency_key=("web:" + data["form_key"]) if data["form_key"] else None,
        )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return render(request, "web/public/submit.html", {"form": form}, status=exc.status_code)
    attachment_error = ""
    if created and data["attachment"] is not None:
        try:
            services.attachment_add(case=case, actor=None, uploaded=data["attachment"])
        except DomainError as exc:
            attachment_error = exc.message
    return render(request, "web/public/submitted.html", {"case": case, "attachment_error": attachment_error})


def track(request):
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        try:
            case = selectors.case_get_public(query_code=form.cleaned_data["code"])
        except NotFound as exc:
            form.add_error("code", exc.message)
        else:
            return redirect("web:track_case", query_code=case.query_code)
    return render(request, "web/public/track.html", {"form": form}, status=400 if form.errors else 200)


def _public_case(query_code: str):
    try:
        return selectors.case_get_public(query_code=query_code)
    except NotFound:
        raise Http404


def _track_page(request, case, *, evaluation_form=None, appeal_form=None, error="", status=200):
    can_evaluate = case.status == Status.REPLIED
    can_appeal = case.status == Status.CLOSED and case.appeal_stage < 2
    context = {
        "case": case,
        "timeline": selectors.case_events_public(case),
        "show_reply": bool(case.reply_content) and case.status in (Status.REPLIED, Status.EVALUATED, Status.CLOSED),
        "evaluation_form": (evaluation_form or EvaluationForm()) if can_evaluate else None,
        "appeal_form": (appeal_form or AppealForm()) if can_appeal else None,
        "appeal_stage_label": "复查" if case.appeal_stage == 0 else "复核",
        "error": error,
    }
    return render(request, "web/public/track_case.html", context, status=status)


def track_case(request, query_code: str):
    case = _public_case(query_code)
    if case.query_code != query_code:
        return redirect("web:track_case", query_code=case.query_code)
    return _track_page(request, case)


@require_POST
def track_evaluate(request, query_code: str):
    case = _public_case(query_code)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        return _track_page(request, case, evaluation_form=form, status=400)
    try:
        services.case_evaluate(case=case, actor=None, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
    except DomainError as exc:
        case.refresh_from_db()
        return _track_page(request, case, evaluation_form=form, error=exc.message, status=exc.status_code)
    messages.success(request, "感谢您的评价，我们已收到。")
    return redirect("web:track_case", query_code=case.query_code)


@require_POST
def track_appeal(request, query_code: str):
    case = _public_case(query_code)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _track_page(request, case, appeal_form=form, status=400)
    try:
        case = services.case_review(case=case, actor=None, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        case.refresh_from_db()
        return _track_page(request, case, appeal_form=form, error=exc.message, status=exc.status_code)
    stage = "复查" if case.appeal_stage == 1 else "复核"
    messages.success(request, f"您的{stage}申请已提交，我们将重新办理并答复您。")
    return redirect("web:track_case", query_code=case.query_code)
