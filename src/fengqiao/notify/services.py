from django.db.models import QuerySet
from django.utils import timezone

from fengqiao.notify.models import Notification


def notification_send(*, recipients, kind: str, title: str, body: str = "", case=None) -> list[Notification]:
    return Notification.objects.bulk_create(
        [Notification(recipient=r, kind=kind, title=title, body=body, case=case) for r in recipients]
    )


def notification_mark_read(*, staff, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=staff, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notification_list_unread(*, staff) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=staff, read_at__isnull=True).select_related("case")
