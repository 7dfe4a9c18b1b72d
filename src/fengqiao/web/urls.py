from django.contrib.auth import views as auth_views
from django.urls import path

from fengqiao.web.context import SITE_NAME
from fengqiao.web.forms import LoginForm
from fengqiao.web.views import analysis, errors, public, staff

app_name = "web"
urlpatterns = [
    path("healthz", errors.healthz, name="healthz"),
    # public portal
    path("", public.home, name="home"),
    path("submit", public.submit, name="submit"),
    path("track", public.track, name="track"),
    path("track/<str:query_code>", public.track_case, name="track_case"),
    path("track/<str:query_code>/evaluate", public.track_evaluate, name="track_evaluate"),
    path("track/<str:query_code>/appeal", public.track_appeal, name="track_appeal"),
    # staff console
    path(
        "staff/login",
        auth_views.LoginView.as_view(
            template_name="web/staff/login.html", authentication_form=LoginForm, redirect_authenticated_user=True,
            extra_context={"site_name": SITE_NAME},  # LoginView would put the host name there
        ),
        name="login",
    ),
    path("staff/logout", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("staff/", staff.queue, name="queue"),
    path("staff/export.xlsx", staff.export, name="export"),
    path("staff/intake", staff.intake, name="intake"),
    path("staff/intake/lookup", staff.intake_lookup, name="intake_lookup"),
    path("staff/intake/similar", analysis.intake_similar, name="intake_similar"),
    path("staff/topics", analysis.topics, name="topics"),
    path("staff/warnings", analysis.warnings, name="warnings"),
    path("staff/notifications/read", analysis.notifications_read, name="notifications_read"),
    path("staff/cases/<int:case_id>", staff.case_detail, name="case"),
    path("staff/cases/<int:case_id>/reveal", staff.case_reveal, name="case_reveal"),
    path("staff/cases/<int:case_id>/attach", staff.case_attach, name="case_attach"),
    path(
        "staff/cases/<int:case_id>/attachments/<int:attachment_id>",
        staff.attachment_download,
        name="attachment",
    ),
    path("staff/cases/<int:case_id>/<str:action>", staff.case_action, name="case_action"),
]
