from django.core.management.base import BaseCommand, CommandError

from fengqiao.cases.imports import taxonomy_import, taxonomy_report_lines
from fengqiao.core.errors import DomainError


class Command(BaseCommand):
    help = "导入三级分类表（列：一级分类、二级分类、三级分类，可选：关键词）/ import the category table"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件 (.xlsx)")

    def handle(self, *args, file, **options):
        try:
            report = taxonomy_import(path=file)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in taxonomy_report_lines(report):
            self.stdout.write(line)
