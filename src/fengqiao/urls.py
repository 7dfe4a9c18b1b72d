from django.urls import include, path

from fengqiao.api.routes import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("fengqiao.web.urls")),
]

handler400 = "fengqiao.web.views.errors.bad_request"
handler403 = "fengqiao.web.views.errors.forbidden"
handler404 = "fengqiao.web.views.errors.not_found"
handler500 = "fengqiao.web.views.errors.server_error"
