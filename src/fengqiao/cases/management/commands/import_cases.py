from django.core.management.base import BaseCommand, CommandError

from fengqiao.cases.imports import case_import, case_report_lines
from fengqiao.cases.states import Channel
from fengqiao.core.errors import DomainError
from fengqiao.org.selectors import region_by_code


class Command(BaseCommand):
    help = (
        "导入网上留言或热线工单（列：留言编号、留言用户、留言主题、留言时间、留言详情，可选：答复意见、答复时间、"
        "点赞数、反对数、一级分类）/ import board messages or hotline work orders"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件 (.xlsx)")
        parser.add_argument("--channel", default=Channel.ONLINE, help=f"渠道 / channel: {', '.join(Channel.values)}")
        parser.add_argument("--region", default="", help="地区代码 / region code (默认：第一个县)")
        parser.add_argument("--keep-open", action="store_true", help="已答复的不办结，停在“已答复” / leave replied cases open")

    def handle(self, *args, file, channel, region, keep_open, **options):
        target = None
        if region:
            target = region_by_code(region)
            if target is None:
                raise CommandError(f"地区代码不存在：{region} / no region with code {region}")
        try:
            report = case_import(path=file, channel=channel, region=target, close_replied=not keep_open)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in case_report_lines(report):
            self.stdout.write(line)
