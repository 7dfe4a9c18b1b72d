from django.core.management.base import BaseCommand, CommandError

from fengqiao.org.models import Staff
from fengqiao.org.services import token_create


class Command(BaseCommand):
    help = "API 令牌 / API tokens: token create USERNAME"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")

    def handle(self, *args, action, username, **options):
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"用户不存在：{username} / no such user")
        self.stdout.write(f"为 {staff.label} 生成的令牌（只显示一次）/ token for {username}, shown once:")
        self.stdout.write(token_create(staff=staff))
