"""Excel export of a case list, for staff. Streams rows (openpyxl write-only), so 10k+ cases
stay cheap in memory; the petitioner's name is only ever written masked."""

import io
import re

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fengqiao.cases.models import Case
from fengqiao.cases.states import Channel, Rating, Status
from fengqiao.org.models import Region

# (header, width in characters)
COLUMNS = [
    ("编号", 18), ("查询码", 16), ("渠道", 12), ("标题", 36), ("内容", 60), ("信访人", 10), ("地区", 24),
    ("分类", 30), ("牵头单位", 24), ("状态", 10), ("登记时间", 18), ("办结期限", 18), ("答复意见", 50),
    ("答复时间", 18), ("评价", 10), ("重办次数", 9),
]
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CHUNK = 2000

# Characters XML 1.0 cannot hold; openpyxl refuses them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CELL_MAX = 32767  # Excel's limit of characters in one cell


def _region_names(qs: QuerySet[Case]) -> dict[str, str]:
    """Full names ("青溪县临溪镇柳塘村") of every region in the export, in two queries."""
    paths = set(qs.order_by().values_list("region__path", flat=True).distinct())
    codes = {c for path in paths for c in path.split("/") if c}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

    def full(path: str) -> str:
        parts = [c for c in path.split("/") if c]
        # Leave out the city when there is a county below it, as the staff of a county read addresses.
        shown = parts[1:] if len(parts) > 1 else parts
        return "".join(names.get(c, "") for c in shown)

    return {path: full(path) for path in paths}


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def case_export_xlsx(queryset: QuerySet[Case]) -> bytes:
    """Return an .xlsx workbook of the cases in `queryset`, in its order."""
    qs = queryset.select_related("region", "category", "lead_department", "petitioner")
    regions = _region_names(qs)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    ws.freeze_panes = "A2"
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)

    def text(value: str):
        value = _ILLEGAL.sub("", value or "")[:_CELL_MAX]
        cell = WriteOnlyCell(ws, value=value)
        # Text a petitioner typed is never a formula ("=HYPERLINK(...)" stays text).
        cell.data_type = "s"
        return cell

    def when(moment):
        cell = WriteOnlyCell(ws, value=_local(moment))
        cell.number_format = DATETIME_FORMAT
        return cell

    for case in qs.iterator(chunk_size=CHUNK):
        ws.append([
            case.number,
            case.query_code,
            Channel(case.channel).label if case.channel in Channel.values else case.channel,
            text(case.title),
            text(case.content),
            case.petitioner.name_masked if case.petitioner else "",
            regions.get(case.region.path, case.region.name),
            case.category.path if case.category else "",
            case.lead_department.name if case.lead_department else "",
            Status(case.status).label,
            when(case.created_at),
            when(case.resolve_due_at),
            text(case.reply_content),
            when(case.replied_at),
            Rating(case.last_rating).label if case.last_rating else "",
            case.redo_count,
        ])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
