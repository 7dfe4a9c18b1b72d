from django.core.management.base import BaseCommand

from fengqiao.core.backup import backup_write


class Command(BaseCommand):
    help = "备份数据库到文件 / back up the database: backup FILE.json.gz"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        count = backup_write(file)
        self.stdout.write(f"已备份 {count} 条记录到 {file} / backed up {count} objects")
