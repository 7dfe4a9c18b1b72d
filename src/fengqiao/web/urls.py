from django.urls import path

from fengqiao.web.views import errors

app_name = "web"
urlpatterns = [
    path("healthz", errors.healthz, name="healthz"),
]
