import time

from django.core.management.base import BaseCommand

from fengqiao.analysis.services import insight_compute_all


class Command(BaseCommand):
    help = "对案件做研判（分类建议、相似与重复、风险）/ analyse cases: suggestions, similar and repeat cases, risk"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="重新研判全部案件 / recompute every case")

    def handle(self, *args, all, **options):
        started = time.monotonic()
        count = insight_compute_all(only_missing=not all)
        self.stdout.write(f"已研判 {count} 件，用时 {time.monotonic() - started:.1f} 秒 / analysed {count} cases")
