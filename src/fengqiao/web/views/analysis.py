"""研判 pages: the monthly problem list, risk warnings, notifications, similar cases at intake."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from fengqiao.analysis import selectors
from fengqiao.notify.services import notification_list_unread, notification_mark_read
from fengqiao.org.models import Region


@login_required
@require_GET
def topics(request):
    year, month = selectors.month_parse(request.GET.get("month"))
    rows = selectors.topics_for_month(staff=request.user, year=year, month=month)
    context = {"topics": rows, "month": f"{year}-{month:02d}", "year": year, "month_number": month}
    return render(request, "web/staff/topics.html", context)


@login_required
@require_GET
def warnings(request):
    context = {
        "warnings": selectors.warning_list(staff=request.user)[:200],
        "counts": selectors.warning_counts(staff=request.user),
        "notifications": notification_list_unread(staff=request.user)[:50],
    }
    return render(request, "web/staff/warnings.html", context)


@login_required
@require_POST
def notifications_read(request):
    count = notification_mark_read(staff=request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读")
    return redirect("web:warnings")


@login_required
@require_GET
def intake_similar(request):
    text = f"{request.GET.get('title', '')} {request.GET.get('content', '')}"[:2000]
    region = Region.objects.filter(pk=request.GET.get("region") or None).first() if (request.GET.get("region") or "").isdigit() else None
    hits = selectors.similar_to_text(staff=request.user, text=text, region=region)
    return render(request, "web/staff/_similar_cases.html", {"hits": hits})
