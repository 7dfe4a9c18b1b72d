from django.core.management.base import BaseCommand, CommandError

from fengqiao.org.models import Staff
from fengqiao.org.services import staff_totp_disable, staff_totp_enable


class Command(BaseCommand):
    help = "两步验证 / two-factor login: totp enable|disable USERNAME"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["enable", "disable"])
        parser.add_argument("username")

    def handle(self, *args, action, username, **options):
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"用户不存在：{username} / no such user")
        if action == "disable":
            staff_totp_disable(staff=staff)
            self.stdout.write(f"已关闭 {username} 的两步验证 / two-factor login disabled")
            return
        self.stdout.write("请用身份验证器应用扫描或输入以下地址 / add this to an authenticator app:")
        self.stdout.write(staff_totp_enable(staff=staff))
