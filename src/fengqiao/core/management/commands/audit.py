import sys

from django.core.management.base import BaseCommand

from fengqiao.core.audit import audit_verify


class Command(BaseCommand):
    help = "审计链 / audit chain: audit verify"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计链完整，共 {result.checked} 条 / audit chain intact, {result.checked} entries")
            return
        self.stderr.write(f"审计链被破坏：{result.reason} / audit chain broken at entry {result.broken_seq}")
        sys.exit(1)
