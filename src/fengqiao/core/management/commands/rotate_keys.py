from django.core.management.base import BaseCommand

from fengqiao.core.crypto import rotate_all


class Command(BaseCommand):
    help = "用第一把密钥重新加密全部个人信息 / re-encrypt all personal data with the first (newest) key"

    def handle(self, *args, **options):
        count = rotate_all()
        self.stdout.write(f"已用新密钥重新加密 {count} 个字段 / re-encrypted {count} values with the newest key")
