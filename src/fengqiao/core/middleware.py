"""Security headers and rate limits on public endpoints."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def client_ip(request) -> str:
    if getattr(settings, "FENGQIAO_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def _bucket(request) -> tuple[str, int] | None:
    """Return (scope, limit per minute) for a public request, None when it is not limited."""
    limits = settings.FENGQIAO_RATE_LIMITS
    path = request.path
    public = path.startswith("/api/v1/public/") or path in ("/submit", "/track") or path.startswith("/track/")
    if not public and path != "/staff/login":
        return None
    if request.method == "POST":
        return ("write", limits["public_write_per_minute"])
    return ("read", limits["public_read_per_minute"])


def rate_limit_hit(key: str, limit: int, window: int = 60) -> int:
    """Count one request against `key`; return 0 when allowed, else the seconds until the window resets."""
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"rl:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return 0 if count <= limit else window_start + window - now


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bucket = _bucket(request)
        if bucket and bucket[1] > 0:
            retry = rate_limit_hit(f"{bucket[0]}:{client_ip(request)}", bucket[1])
            if retry:
                return _too_many(request, retry)
        return self.get_response(request)


def _too_many(request, retry: int) -> HttpResponse:
    zh, en = f"请求过于频繁，请在 {retry} 秒后再试", f"too many requests; retry in {retry} s"
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": zh, "detail_en": en, "code": "rate_limited"}, status=429)
    else:
        response = HttpResponse(f"<!doctype html><meta charset=utf-8><title>请稍后再试</title><p>{zh}</p><p>{en}</p>", status=429)
    response["Retry-After"] = str(retry)
    return response
