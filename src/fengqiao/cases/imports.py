"""Bulk imports from spreadsheets: the three-level category table, and board or hotline exports.

Both read the first sheet of an .xlsx file whose first row names the columns, or take `rows`
(mappings keyed by column name, numbered from 2 as if under a header line). A bad row is never
dropped silently: it is reported with its spreadsheet row number and the reason, and the good
rows are imported all the same. Re-importing the same file creates nothing new.

Board exports carry no real identity: the board user name (留言用户, e.g. "A00045581") is stored
as the petitioner's name, marked in the register event as 网上信访用户名; one board user is one
Petitioner, so a repeat user's cases hang on the same person.
"""

import datetime as dt
import hashlib
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent, Category, Petitioner
from fengqiao.cases.states import Channel
from fengqiao.core.audit import audit_append
from fengqiao.core.errors import DomainError, ValidationFailed
from fengqiao.core.workdays import add_workdays
from fengqiao.org.models import Department, Region, Role, Staff
from fengqiao.org.selectors import region_ancestors, region_default, responsibility_lookup

IMPORT_USERNAME = "import"
BATCH_ROWS = 50  # rows per transaction: short enough that the web site never waits long for the lock


# ---------------------------------------------------------------- report


@dataclass
class RowError:
    row: int
    reason: str
    reason_en: str = ""

    def __str__(self):
        return f"第 {self.row} 行：{self.reason}"


@dataclass
class ImportReport:
    """What an import did. `counts` holds extra figures (categories per depth, replied cases)."""

    source: str = ""
    total: int = 0  # data rows read (blank rows excluded)
    created: int = 0
    updated: int = 0
    skipped: int = 0  # already imported before (or repeated within the file)
    blank: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0

    def error_rows(self) -> list[int]:
        return [e.row for e in self.errors]


class _RowFailed(Exception):
    def __init__(self, reason: str, reason_en: str = ""):
        super().__init__(reason)
        self.reason, self.reason_en = reason, reason_en


# ---------------------------------------------------------------- reading


def _header_key(value) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def xlsx_rows(path) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {column: value}) for each non-blank data row of the first sheet.

    Blank rows are yielded as (row number, {}) so that callers can count them."""
    import openpyxl

    p = Path(path)
    if not p.is_file():
        raise ValidationFailed(f"文件不存在：{p}", f"file not found: {p}", code="file_not_found")
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(
            f"无法读取 Excel 文件“{p.name}”（请提供 .xlsx 格式）：{exc}",
            f"cannot read workbook {p.name} (.xlsx expected): {exc}", code="bad_file",
        ) from exc
    try:
        sheet = wb.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = None
        for number, values in enumerate(rows, start=1):
            if header is None:
                header = [_header_key(v) for v in values]
                if not any(header):
                    raise ValidationFailed(f"“{p.name}”第一行应为列名，但为空", f"{p.name}: the first row must name the columns")
                continue
            if not any(v is not None and str(v).strip() for v in values):
                yield number, {}
                continue
            yield number, {h: v for h, v in zip(header, values) if h}
        if header is None:
            raise ValidationFailed(f"“{p.name}”是空表", f"{p.name} is empty")
    finally:
        wb.close()


def _numbered(rows: Iterable[Mapping]) -> Iterator[tuple[int, dict]]:
    for number, row in enumerate(rows, start=2):
        clean = {_header_key(k): v for k, v in row.items()}
        if not any(v is not None and str(v).strip() for v in clean.values()):
            yield number, {}
        else:
            yield number, clean


def _source(rows, path) -> tuple[Iterator[tuple[int, dict]], str]:
    if (rows is None) == (path is None):
        raise ValueError("give exactly one of rows= or path=")
    if path is not None:
        return xlsx_rows(path), Path(path).name
    return _numbered(rows), ""


def _first_row(source: Iterator[tuple[int, dict]]) -> tuple[Iterator[tuple[int, dict]], dict | None]:
    """Peek at the first non-blank row so that missing columns are reported before any write."""
    buffered = []
    for item in source:
        buffered.append(item)
        if item[1]:
            break

    def chain():
        yield from buffered
        yield from source

    first = buffered[-1][1] if buffered and buffered[-1][1] else None
    return chain(), first


# ---------------------------------------------------------------- cleaning and parsing

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def text_clean(value) -> str:
    """Return multi-line text with each line trimmed and blank lines dropped (board exports
    wrap their text in runs of newlines and tabs)."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def line_clean(value) -> str:
    """Return one line: every run of whitespace becomes one space."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", _CONTROL.sub("", str(value))).strip()


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*[分秒]?)?$"
)


def when_parse(value) -> dt.datetime | None:
    """Return an aware datetime (naive input is local time) or None when empty.

    Accepts Excel date cells, Excel serial numbers, '2019/2/28 11:25:05', '2019-02-28 11:25',
    '2019-02-28', '2019.2.28', '2019年2月28日', '2019年2月28日 11时25分' and ISO 8601.
    Raise ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # Excel's own range of serial day numbers
            raise ValueError(value)
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
        moment = moment.replace(microsecond=0)
    else:
        text = str(value).strip()
        match = _DATE_RE.match(text)
        if match:
            y, mo, d, h, mi, s = (int(x) if x else 0 for x in match.groups())
            moment = dt.datetime(y, mo, d, h, mi, s)  # raises ValueError for 2019-02-30 or 25:00
        else:
            moment = dt.datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _count(value, column: str) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise _RowFailed(f"“{column}”不是数字：{value}", f"{column} is not a number: {value}") from None
    if number < 0 or number != int(number):
        raise _RowFailed(f"“{column}”应为非负整数：{value}", f"{column} must be a whole number >= 0: {value}")
    return int(number)


# ---------------------------------------------------------------- taxonomy

LEVEL_COLUMNS = ("一级分类", "二级分类", "三级分类")
KEYWORD_COLUMN = "关键词"


def keywords_clean(value) -> str:
    """Return keywords as one space-separated string (input may use spaces, commas, 、 or ;)."""
    words = [w for w in re.split(r"[\s,，、;；|/]+", line_clean(value)) if w]
    return " ".join(dict.fromkeys(words))


def taxonomy_import(*, rows: Iterable[Mapping] | None = None, path=None) -> ImportReport:
    """Create the categories of a 一级/二级/三级 table; update keywords of those that exist.

    Every level must be filled; a row missing one is reported, not guessed. Keywords (关键词, on the
    third level) replace the stored ones when the column is present."""
    started = time.monotonic()
    source, name = _source(rows, path)
    source, first = _first_row(source)
    report = ImportReport(source=name)
    if first is not None:
        missing = [c for c in LEVEL_COLUMNS if c not in first]
        if missing:
            raise ValidationFailed(
                f"缺少列：{'、'.join(missing)}（应有：一级分类、二级分类、三级分类，可选：关键词）",
                f"missing column(s): {', '.join(missing)}", code="missing_columns",
            )
    existing = {c.path: c for c in Category.objects.all()}
    created = {1: 0, 2: 0, 3: 0}
    with transaction.atomic():
        for number, row in source:
            if not row:
                report.blank += 1
                continue
            report.total += 1
            names = [line_clean(row.get(c)) for c in LEVEL_COLUMNS]
            missing = [c for c, n in zip(LEVEL_COLUMNS, names) if not n]
            if missing:
                report.errors.append(RowError(number, f"缺少{'、'.join(missing)}", f"missing {', '.join(missing)}"))
                continue
            if any("/" in n for n in names):
                report.errors.append(RowError(number, "分类名称中不能含有“/”", "category names may not contain '/'"))
                continue
            if any(len(n) > 100 for n in names):
                report.errors.append(RowError(number, "分类名称不能超过100字", "category name longer than 100 characters"))
                continue
            parent, row_created = None, False
            for depth, node_name in enumerate(names, start=1):
                path_ = "/".join(names[:depth])
                node = existing.get(path_)
                if node is None:
                    node = Category.objects.create(name=node_name, parent=parent, depth=depth, path=path_)
                    existing[path_] = node
                    created[depth] += 1
                    row_created = True
                parent = node
            changed = False
            if KEYWORD_COLUMN in row:
                words = keywords_clean(row.get(KEYWORD_COLUMN))
                if words != parent.keywords:
                    parent.keywords = words
                    parent.save(update_fields=["keywords"])
                    changed = True
            if row_created:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.skipped += 1
        report.counts = {f"depth{d}": n for d, n in created.items()}
        audit_append(action="category.import", object_type="file", object_id=name or "rows", actor=None,
                     actor_label="数据导入", data={"created": created, "updated": report.updated,
                                                   "errors": len(report.errors)})
    report.seconds = time.monotonic() - started
    return report


def taxonomy_report_lines(report: ImportReport) -> list[str]:
    c = report.counts
    lines = [
        f"分类导入完成{('：' + report.source) if report.source else ''}",
        f"  读取 {report.total} 行；新建一级分类 {c.get('depth1', 0)} 个、二级分类 {c.get('depth2', 0)} 个、"
        f"三级分类 {c.get('depth3', 0)} 个；更新关键词 {report.updated} 个；有误 {len(report.errors)} 行",
    ]
    lines += [f"  {e}" for e in report.errors]
    return lines


# ---------------------------------------------------------------- cases

# Column names seen in board and hotline exports; the first of each group is the board's own.
CASE_COLUMNS = {
    "ref": ("留言编号", "工单编号", "编号", "来源编号"),
    "user": ("留言用户", "用户", "网民"),
    "title": ("留言主题", "标题", "工单标题", "诉求标题"),
    "created": ("留言时间", "来电时间", "登记时间", "受理时间"),
    "content": ("留言详情", "内容", "诉求内容", "工单内容", "来电内容"),
    "reply": ("答复意见", "答复内容", "办理结果", "回复内容"),
    "replied": ("答复时间", "回复时间", "办结时间"),
    "support": ("点赞数",),
    "oppose": ("反对数",),
    "cat1": ("一级分类",),
    "cat2": ("二级分类",),
    "cat3": ("三级分类",),
}


def _columns(first: dict) -> dict[str, str]:
    found = {}
    for key, names in CASE_COLUMNS.items():
        for name in names:
            if name in first:
                found[key] = name
                break
    if "created" not in found or not ({"title", "content"} & found.keys()):
        raise ValidationFailed(
            "缺少必需的列：需要“留言时间”，以及“留言主题”或“留言详情”"
            f"（现有列：{'、'.join(first.keys())}）",
            "missing columns: a time column (留言时间) and a title (留言主题) or content (留言详情) column are required",
            code="missing_columns",
        )
    return found


def import_staff() -> Staff:
    """Return the system user that imports act as (created on first use, cannot log in)."""
    staff = Staff.objects.filter(username=IMPORT_USERNAME).first()
    if staff is None:
        staff = Staff(username=IMPORT_USERNAME, display_name="数据导入", role=Role.ADMIN, region=None)
        staff.set_unusable_password()
        staff.save()
    return staff


def _default_department(region: Region) -> Department | None:
    """The petition bureau nearest above `region`, else any active petition department."""
    near = {r.pk: i for i, r in enumerate(region_ancestors(region))}
    bureaus = sorted(
        Department.objects.filter(kind="petition", active=True, region_id__in=near),
        key=lambda d: near[d.region_id],
    )
    if bureaus:
        return bureaus[0]
    return Department.objects.filter(kind="petition", active=True).order_by("region__path", "pk").first()


@dataclass
class _Context:
    channel: str
    region: Region
    actor: Staff
    source: str
    close_replied: bool
    columns: dict[str, str]
    categories: dict[str, Category]
    default_department: Department | None
    seen: set[str]
    petitioners: dict[str, int]
    lookup_cache: dict[int | None, Department | None] = field(default_factory=dict)


def _category_for(ctx: _Context, row: dict) -> tuple[Category | None, str]:
    names = [line_clean(row.get(ctx.columns[k])) for k in ("cat1", "cat2", "cat3") if k in ctx.columns]
    names = [n for n in names if n]
    if not names:
        return None, ""
    for depth in range(len(names), 0, -1):
        node = ctx.categories.get("/".join(names[:depth]))
        if node is not None:
            return node, "" if depth == len(names) else "/".join(names)
    return None, "/".join(names)


def _department_for(ctx: _Context, category: Category | None) -> Department | None:
    key = category.pk if category else None
    if key not in ctx.lookup_cache:
        ctx.lookup_cache[key] = responsibility_lookup(category=category, region=ctx.region) or ctx.default_department
    return ctx.lookup_cache[key]


def _backdate(case: Case, events_before: int, created: dt.datetime, replied: dt.datetime, closed: bool) -> None:
    """Put the historical times on an imported case and its timeline (imports may backdate)."""
    resolve_due = add_workdays(timezone.localtime(created), settings.FENGQIAO_DEADLINES["resolve"])
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))[events_before:]
    for event in events:
        event.at = replied if event.action in ("reply", "close") else created
        if event.action == "accept":
            event.public_note = re.sub(r"\d{4}-\d{2}-\d{2}", f"{timezone.localtime(resolve_due):%Y-%m-%d}", event.public_note)
    CaseEvent.objects.bulk_update(events, ["at", "public_note"])
    Case.objects.filter(pk=case.pk).update(
        accepted_at=created, dispatched_at=created, resolve_due_at=resolve_due, replied_at=replied,
        closed_at=replied if closed else None, due_at=None,
    )


def _case_row(ctx: _Context, number: int, row: dict, report: ImportReport) -> None:
    col = ctx.columns
    raw_ref = row.get(col["ref"]) if "ref" in col else None
    if isinstance(raw_ref, float) and raw_ref.is_integer():
        raw_ref = int(raw_ref)  # a number typed into a cell Excel stores as 188006.0
    ref = line_clean(raw_ref)
    if ref and len(ref) > 64:
        raise _RowFailed("编号超过64个字符", "reference longer than 64 characters")
    title = line_clean(row.get(col["title"])) if "title" in col else ""
    content = text_clean(row.get(col["content"])) if "content" in col else ""
    if not title and not content:
        raise _RowFailed("标题和内容都为空", "title and content are both empty")
    if not title:
        first_line = content.split("\n", 1)[0]
        title = first_line[:40] + ("…" if len(first_line) > 40 else "")
    if not content:
        content = title
    raw_created = row.get(col["created"])
    try:
        created = when_parse(raw_created)
    except (ValueError, OverflowError, TypeError):
        raise _RowFailed(f"无法识别的{col['created']}：{raw_created}", f"unreadable date: {raw_created}") from None
    if created is None:
        raise _RowFailed(f"{col['created']}为空", "the date is empty")
    if created > timezone.now() + dt.timedelta(minutes=5):
        raise _RowFailed(f"{col['created']}晚于当前时间：{raw_created}", f"date is in the future: {raw_created}")
    reply = text_clean(row.get(col["reply"])) if "reply" in col else ""
    replied = None
    if reply:
        raw_replied = row.get(col["replied"]) if "replied" in col else None
        try:
            replied = when_parse(raw_replied)
        except (ValueError, OverflowError, TypeError):
            raise _RowFailed(f"无法识别的答复时间：{raw_replied}", f"unreadable reply date: {raw_replied}") from None
        if replied is None:
            raise _RowFailed("有答复意见但缺少答复时间", "a reply without a reply date")
        if replied < created:
            raise _RowFailed("答复时间早于留言时间", "the reply date is before the message date")
        if replied > timezone.now() + dt.timedelta(minutes=5):
            raise _RowFailed(f"答复时间晚于当前时间：{raw_replied}", f"reply date is in the future: {raw_replied}")
        if len(reply) < 5:
            raise _RowFailed(f"答复意见过短（至少5个字）：{reply}", "reply shorter than 5 characters")
    support = _count(row.get(col["support"]), col["support"]) if "support" in col else 0
    oppose = _count(row.get(col["oppose"]), col["oppose"]) if "oppose" in col else 0
    user = line_clean(row.get(col["user"])) if "user" in col else ""
    category, unknown = _category_for(ctx, row)
    department = _department_for(ctx, category) if reply else None
    if reply and department is None:
        raise _RowFailed("没有可交办的单位（请先建立信访部门）", "no department to dispatch to; create a petition department first")

    if ref:
        if ref in ctx.seen:
            report.skipped += 1
            return
        idempotency_key = None
    else:
        digest = hashlib.sha256("\x1f".join([ctx.channel, user, created.isoformat(), title, content]).encode()).hexdigest()
        idempotency_key = f"import:{ctx.channel}:{digest[:48]}"

    new_person = None
    with transaction.atomic():  # a savepoint: a row that fails leaves nothing behind
        case, created_now = services.case_register(
            title=title, content=content, channel=ctx.channel, region=ctx.region, actor=ctx.actor,
            category=category, idempotency_key=idempotency_key, source_ref=ref, created_at=created,
            support_count=support, oppose_count=oppose,
        )
        if not created_now:
            report.skipped += 1
            return
        if user:
            person_id = ctx.petitioners.get(user)
            if person_id is None:
                person_id = new_person = services.petitioner_upsert(data=services.PetitionerData(name=user)).pk
            Case.objects.filter(pk=case.pk).update(petitioner_id=person_id)
        where = f"从文件“{ctx.source}”第 {number} 行导入" if ctx.source else f"导入第 {number} 行"
        register = case.events.get()
        register.note = f"{register.note}；{where}" + (f"；网上信访用户名：{user}" if user else "")
        register.data = {"import": {"file": ctx.source, "row": number, "board_user": user}}
        register.save(update_fields=["note", "data"])
        if reply:
            actor = ctx.actor
            services.case_accept(case=case, actor=actor, note="导入的已答复留言")
            services.case_dispatch(case=case, actor=actor, department=department, note="导入：按答复情况记录")
            services.case_claim(case=case, actor=actor)
            services.case_reply(case=case, actor=actor, content=reply)
            if ctx.close_replied:
                services.case_close(case=case, actor=actor, note="来源平台已公开答复，导入时按办结处理")
            _backdate(case, 1, created, replied, ctx.close_replied)
            report.counts["replied"] = report.counts.get("replied", 0) + 1
    # Only now that the row is in: remember it (a failed row's savepoint took its writes away).
    if ref:
        ctx.seen.add(ref)
    if new_person is not None:
        ctx.petitioners[user] = new_person
    report.created += 1
    if unknown:
        report.warnings.append(RowError(number, f"未找到分类“{unknown}”，已导入但未分类", f"unknown category {unknown}"))


def case_import(
    *,
    rows: Iterable[Mapping] | None = None,
    path=None,
    channel: str = Channel.ONLINE,
    region: Region | None = None,
    close_replied: bool = True,
) -> ImportReport:
    """Import board messages or hotline work orders as cases; see the module docstring.

    A row with a reply becomes a replied case through the real transitions (accept, dispatch to
    the responsible or the petition department, claim, reply; then close when `close_replied`),
    acted by the system user `import`, with the times taken from the file."""
    started = time.monotonic()
    if channel not in Channel.values:
        raise ValidationFailed(f"未知的渠道：{channel}（可选：{'、'.join(Channel.values)}）", f"unknown channel: {channel}")
    region = region or region_default()
    if region is None:
        raise ValidationFailed("还没有任何地区，请先建立地区再导入", "no regions exist yet; create regions first")
    source, name = _source(rows, path)
    source, first = _first_row(source)
    report = ImportReport(source=name)
    if first is None:
        report.seconds = time.monotonic() - started
        return report
    columns = _columns(first)
    actor = import_staff()
    seen = set(
        Case.objects.filter(channel=channel).exclude(source_ref="").values_list("source_ref", flat=True)
    )
    petitioners = {}
    if "user" in columns:
        # Board users already imported on this channel, so that a repeat user stays one person.
        known = Petitioner.objects.filter(cases__channel=channel, cases__registered_by=actor).distinct()
        petitioners = {p.name: p.pk for p in known.only("pk", "name_enc")}
    ctx = _Context(
        channel=channel, region=region, actor=actor, source=name, close_replied=close_replied, columns=columns,
        categories={c.path: c for c in Category.objects.all()}, default_department=_default_department(region),
        seen=seen, petitioners=petitioners,
    )
    batch: list[tuple[int, dict]] = []

    def flush():
        with transaction.atomic():
            for number, row in batch:
                try:
                    _case_row(ctx, number, row, report)
                except _RowFailed as exc:
                    report.errors.append(RowError(number, exc.reason, exc.reason_en))
                except DomainError as exc:
                    report.errors.append(RowError(number, exc.message, exc.message_en))
        batch.clear()

    for number, row in source:
        if not row:
            report.blank += 1
            continue
        report.total += 1
        batch.append((number, row))
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
    audit_append(
        action="case.import", object_type="file", object_id=name or "rows", actor=actor, actor_label=actor.label,
        data={"channel": channel, "region": region.code, "created": report.created, "skipped": report.skipped,
              "errors": len(report.errors), "replied": report.counts.get("replied", 0)},
    )
    report.seconds = time.monotonic() - started
    return report


def case_report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"案件导入完成{('：' + report.source) if report.source else ''}",
        f"  读取 {report.total} 行；新建案件 {report.created} 件（其中已答复 {report.counts.get('replied', 0)} 件）；"
        f"已导入过而跳过 {report.skipped} 件；有误 {len(report.errors)} 行",
        f"  用时 {report.seconds:.1f} 秒（每秒 {report.rows_per_second:.0f} 行）",
    ]
    if report.errors:
        lines.append("  有误的行（未导入，请修改后重新导入，已导入的不会重复）：")
        lines += [f"    {e}" for e in report.errors]
    if report.warnings:
        lines.append("  提示：")
        lines += [f"    {w}" for w in report.warnings]
    return lines
