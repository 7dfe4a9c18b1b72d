from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fengqiao.core.backup import backup_restore
from fengqiao.core.errors import DomainError


class Command(BaseCommand):
    help = "从备份恢复到空数据库 / restore a backup into an empty database: restore FILE.json.gz"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            count = backup_restore(file)
        except DomainError as exc:
            raise CommandError(f"{exc.message} / {exc.message_en}")
        self.stdout.write(f"已恢复 {count} 条记录 / restored {count} objects")
