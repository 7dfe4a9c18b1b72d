SITE_NAME = "枫桥 · 矛盾纠纷多元化解平台"


def site(request):
    context = {"site_name": SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and request.path.startswith("/staff/"):
        from fengqiao.notify.models import Notification

        context["unread_notifications"] = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return context
