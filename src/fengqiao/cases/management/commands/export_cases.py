import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.cases.exports import case_export_xlsx
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import CaseFilters, case_list
from fengqiao.cases.states import Channel, Status
from fengqiao.org.models import Staff


def _date(value: str, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{option} 应为日期，如 2024-03-01：{value} / {option} must be a date like 2024-03-01") from None


class Command(BaseCommand):
    help = "导出案件为 Excel / export cases to an .xlsx file"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件 (.xlsx)")
        parser.add_argument("--status", default="", help=f"状态，可用逗号分隔多个 / status: {', '.join(Status.values)}")
        parser.add_argument("--channel", default="", help=f"渠道 / channel: {', '.join(Channel.values)}")
        parser.add_argument("--from", dest="date_from", default="", help="登记日期起 / registered on or after (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", default="", help="登记日期止 / registered on or before (YYYY-MM-DD)")
        parser.add_argument("--user", default="", help="按该工作人员的可见范围导出 / export what this staff member may see")

    def handle(self, *args, file, status, channel, date_from, date_to, user, **options):
        bad = [s for s in status.split(",") if s and s not in Status.values]
        if bad:
            raise CommandError(f"未知的状态：{'、'.join(bad)}（可选：{', '.join(Status.values)}）")
        if channel and channel not in Channel.values:
            raise CommandError(f"未知的渠道：{channel}（可选：{', '.join(Channel.values)}）")
        filters = CaseFilters(
            status=status, channel=channel, created_from=_date(date_from, "--from"), created_to=_date(date_to, "--to")
        )
        if user:
            staff = Staff.objects.filter(username=user).select_related("region").first()
            if staff is None:
                raise CommandError(f"没有用户名为“{user}”的工作人员 / no staff named {user}")
            qs = case_list(staff=staff, filters=filters)
        else:
            # The command line runs with the database's own rights: every case.
            qs = Case.objects.all()
            if status:
                qs = qs.filter(status__in=status.split(","))
            if channel:
                qs = qs.filter(channel=channel)
            if filters.created_from:
                qs = qs.filter(created_at__date__gte=filters.created_from)
            if filters.created_to:
                qs = qs.filter(created_at__date__lte=filters.created_to)
            qs = qs.order_by("-created_at", "-pk")
        count = qs.count()
        target = Path(file)
        if target.suffix.lower() != ".xlsx":
            raise CommandError("输出文件名应以 .xlsx 结尾 / the output file must end in .xlsx")
        try:
            target.write_bytes(case_export_xlsx(qs))
        except OSError as exc:
            raise CommandError(f"无法写入文件 {target}：{exc}") from exc
        self.stdout.write(f"已导出 {count} 件案件到 {target} / exported {count} cases")
