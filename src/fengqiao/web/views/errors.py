from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status: int, title: str, detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": title, "detail_en": detail, "code": str(status)}, status=status)
    return render(request, "web/error.html", {"status": status, "title": title, "detail": detail}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "Bad request")


def forbidden(request, exception=None):
    return _error(request, 403, "您没有权限访问此页面", "Forbidden")


def not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "Not found")


def server_error(request):
    return _error(request, 500, "系统繁忙，请稍后再试；您提交的内容未丢失", "Server error")


def healthz(request):
    return JsonResponse({"ok": True})
