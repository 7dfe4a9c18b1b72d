"""Password login with lockout after repeated failures."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from fengqiao.org.models import Staff


class LockoutBackend(ModelBackend):
    """Refuse a locked account; count failures; lock after N in a row for M minutes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            Staff().set_password(password)  # same work as a real check, so timing does not tell
            return None
        now = timezone.now()
        if staff.locked_until and staff.locked_until > now:
            if request is not None:
                request.login_locked_until = staff.locked_until
            return None
        if staff.check_password(password) and self.user_can_authenticate(staff):
            if staff.failed_logins or staff.locked_until:
                Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
            return staff
        policy = settings.FENGQIAO_LOGIN_LOCKOUT
        failures = staff.failed_logins + 1
        locked = now + dt.timedelta(minutes=policy["minutes"]) if failures >= policy["failures"] else None
        Staff.objects.filter(pk=staff.pk).update(failed_logins=0 if locked else failures, locked_until=locked)
        if locked and request is not None:
            request.login_locked_until = locked
        return None
