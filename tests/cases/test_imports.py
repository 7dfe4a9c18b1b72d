"""Spreadsheet imports (category table, board and hotline exports) and the Excel export."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fengqiao.cases import services
from fengqiao.cases.exports import case_export_xlsx
from fengqiao.cases.imports import case_import, taxonomy_import, when_parse
from fengqiao.cases.models import Case, Category
from fengqiao.cases.selectors import CaseFilters, case_list
from fengqiao.cases.states import Status
from fengqiao.core.audit import audit_verify

DATA = Path("/work/shared/data")
TAXONOMY_FILE = DATA / "taxonomy_3level.xlsx"
REPLIES_FILE = DATA / "messages_with_replies.xlsx"


def _xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), timezone.get_current_timezone())


# ---------------------------------------------------------------- taxonomy


@pytest.mark.skipif(not TAXONOMY_FILE.exists(), reason="shared taxonomy file not present")
@pytest.mark.django_db
def test_taxonomy_file_creates_each_level_once():
    wb = openpyxl.load_workbook(TAXONOMY_FILE, read_only=True)
    rows = [r[:3] for r in list(wb.worksheets[0].iter_rows(values_only=True))[1:] if r and r[0]]
    wb.close()
    expected = {1: len({r[:1] for r in rows}), 2: len({r[:2] for r in rows}), 3: len({r[:3] for r in rows})}

    report = taxonomy_import(path=TAXONOMY_FILE)

    assert report.errors == []
    for depth, count in expected.items():
        assert Category.objects.filter(depth=depth).count() == count
        assert report.counts[f"depth{depth}"] == count
    leaf = Category.objects.filter(depth=3).select_related("parent__parent").first()
    assert leaf.path == f"{leaf.parent.parent.name}/{leaf.parent.name}/{leaf.name}"

    again = taxonomy_import(path=TAXONOMY_FILE)
    assert again.created == 0 and sum(again.counts.values()) == 0
    assert Category.objects.count() == sum(expected.values())


@pytest.mark.django_db
def test_taxonomy_rows_missing_a_level_are_reported_and_keywords_update(tmp_path):
    header = ["一级分类", "二级分类", "三级分类", "关键词"]
    rows = [
        ["城乡建设", "物业管理", "物业服务", "物业 保洁"],
        ["城乡建设", "", "违章搭建", ""],
        [None, None, None, None],
        ["城乡建设", "物业管理", "维修资金", "维修资金、电梯"],
        ["", "交通", "道路", ""],
    ]
    report = taxonomy_import(path=_xlsx(tmp_path / "tax.xlsx", header, rows))

    assert [e.row for e in report.errors] == [3, 6]
    assert "二级分类" in report.errors[0].reason and "一级分类" in report.errors[1].reason
    assert report.counts == {"depth1": 1, "depth2": 1, "depth3": 2}
    assert Category.objects.get(path="城乡建设/物业管理/维修资金").keywords == "维修资金 电梯"

    rows[0][3] = "物业，电梯，门禁"
    again = taxonomy_import(path=_xlsx(tmp_path / "tax2.xlsx", header, rows))
    assert again.created == 0 and again.updated == 1
    assert Category.objects.count() == 4
    assert Category.objects.get(path="城乡建设/物业管理/物业服务").keywords == "物业 电梯 门禁"


@pytest.mark.django_db
def test_taxonomy_file_without_level_columns_is_refused(tmp_path):
    from fengqiao.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="三级分类"):
        taxonomy_import(path=_xlsx(tmp_path / "bad.xlsx", ["分类", "说明"], [["城乡建设", "x"]]))


# ---------------------------------------------------------------- cases

HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间", "点赞数", "反对数"]


def _board_rows():
    return [
        [101, "U001", "小区路灯不亮", "2019/2/28 11:25:05", "\n\t\t\t\t\n\t\t\t\t柳塘小区路灯坏了两个月\n\t\t\t没人修。\n\t\t",
         "经核实，路灯已于3月4日修复，感谢监督。", "2019/3/5 9:00:00", 3, 1],
        [102, "U002", "菜市场占道经营", dt.datetime(2019, 3, 1, 8, 30), "菜市场门口摊贩占道，早上车过不去。", None, None, 0, 0],
        [103, "U001", "噪音扰民", "2019-03-02 21:10", "工地每晚施工到十二点，无法休息。",
         "已责令施工单位夜间停工，并安排执法巡查。", "2019年3月12日", 7, 0],
        [104, "U003", "学校门口交通拥堵", dt.date(2019, 3, 4), "上下学时段学校门口交通混乱，希望设置护学岗。", "", "", "", ""],
        [105, "U004", "日期写错的留言", "2019-02-30 10:00", "这一行的日期不存在，应当被报告。", None, None, 0, 0],
        [106, "U005", "", "2019/3/6 10:00:00", "  \n\t ", None, None, 0, 0],
        [107, "U006", "垃圾清运", "2019年3月8日", "垃圾桶满了三天没人清运，\n\n\t气味很大。", None, None, "12", 0],
    ]


@pytest.mark.django_db
def test_case_import_reads_mixed_dates_reports_bad_rows_and_backdates_replies(world, tmp_path):
    path = _xlsx(tmp_path / "board.xlsx", HEADER, _board_rows())

    report = case_import(path=path, channel="online")

    assert report.created == 5 and report.skipped == 0
    assert [(e.row, e.reason) for e in report.errors] == [(6, "无法识别的留言时间：2019-02-30 10:00"), (7, "标题和内容都为空")]
    cases = {c.source_ref: c for c in Case.objects.select_related("petitioner", "lead_department")}
    assert set(cases) == {"101", "102", "103", "104", "107"}

    replied = cases["101"]
    assert replied.status == Status.CLOSED
    assert replied.reply_content == "经核实，路灯已于3月4日修复，感谢监督。"
    assert replied.created_at == _local(2019, 2, 28, 11, 25, 5)
    assert replied.replied_at == _local(2019, 3, 5, 9, 0, 0)
    assert replied.number.startswith("FQ2019")
    assert replied.content == "柳塘小区路灯坏了两个月\n没人修。"
    assert (replied.support_count, replied.oppose_count) == (3, 1)
    assert replied.lead_department == world.petition_bureau
    events = list(replied.events.order_by("at", "pk"))
    assert [e.action for e in events] == ["register", "accept", "dispatch", "claim", "reply", "close"]
    assert events[0].at == replied.created_at and events[-1].at == replied.replied_at
    assert "board.xlsx" in events[0].note and "第 2 行" in events[0].note
    assert cases["103"].replied_at == _local(2019, 3, 12)

    assert cases["102"].status == Status.REGISTERED and cases["102"].created_at == _local(2019, 3, 1, 8, 30)
    assert cases["104"].created_at == _local(2019, 3, 4) and cases["104"].replied_at is None
    assert cases["107"].content == "垃圾桶满了三天没人清运，\n气味很大。" and cases["107"].support_count == 12
    # One board user, one petitioner: the repeat user's cases hang together.
    assert cases["101"].petitioner_id == cases["103"].petitioner_id
    assert cases["101"].petitioner.name == "U001" and cases["101"].petitioner.name_masked == "U***"
    assert audit_verify().ok

    again = case_import(path=path, channel="online")
    assert again.created == 0 and again.skipped == 5 and len(again.errors) == 2
    assert Case.objects.count() == 5


@pytest.mark.django_db
def test_rows_without_reference_are_still_imported_once(world):
    rows = [{"留言主题": "井盖缺失", "留言时间": "2024-05-06 10:00", "留言详情": "人行道井盖缺失很危险。"}]
    assert case_import(rows=rows, channel="hotline").created == 1
    assert case_import(rows=rows, channel="hotline").skipped == 1
    assert Case.objects.get().channel == "hotline"


@pytest.mark.django_db
def test_case_file_without_a_date_column_is_refused(world, tmp_path):
    path = _xlsx(tmp_path / "x.xlsx", ["留言主题", "留言详情"], [["路灯", "路灯不亮很久了"]])
    with pytest.raises(CommandError, match="留言时间"):
        call_command("import_cases", str(path))
    assert not Case.objects.exists()


@pytest.mark.parametrize("text, expected", [
    ("2019/2/28 11:25:05", (2019, 2, 28, 11, 25, 5)),
    ("2019-02-28 11:25", (2019, 2, 28, 11, 25)),
    ("2019-02-28", (2019, 2, 28)),
    ("2019年2月28日", (2019, 2, 28)),
    ("2019年2月28日 11时25分", (2019, 2, 28, 11, 25)),
    ("2019.2.28", (2019, 2, 28)),
    (43524.475, (2019, 2, 28, 11, 24)),
])
def test_board_date_formats_are_understood(text, expected):
    assert when_parse(text).replace(second=0) == _local(*expected).replace(second=0)


@pytest.mark.skipif(not REPLIES_FILE.exists(), reason="shared board export not present")
@pytest.mark.django_db
def test_first_rows_of_the_board_export_become_replied_cases(world, tmp_path):
    wb = openpyxl.load_workbook(REPLIES_FILE, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=201))
    wb.close()
    subset = _xlsx(tmp_path / "subset.xlsx", list(rows[0]), [list(r) for r in rows[1:]])

    report = case_import(path=subset, channel="online")

    assert report.total == 200
    assert report.created + len(report.errors) == 200 and report.created >= 190
    assert all(e.reason for e in report.errors)
    assert report.counts["replied"] == report.created
    imported = Case.objects.all()
    assert imported.count() == report.created
    assert not imported.exclude(status=Status.CLOSED).exists()
    assert not imported.filter(replied_at__isnull=True).exists()
    assert not imported.filter(reply_content="").exists()
    assert not imported.filter(content__contains="\t").exists()
    assert audit_verify().ok


# ---------------------------------------------------------------- export


@pytest.mark.django_db
def test_export_of_a_filtered_list_round_trips(world, tmp_path):
    made = []
    for i, channel in enumerate(["visit", "visit", "hotline"]):
        case, _ = services.case_register(
            title=f"=HYPERLINK(\"x\") 路灯不亮{i}" if i == 0 else f"路灯不亮{i}", content="村口路灯一个月不亮了。",
            channel=channel, region=world.village, actor=world.clerk,
            petitioner=services.PetitionerData(name="王小明", phone="13812348000"),
        )
        made.append(case)
    services.case_accept(case=made[1], actor=world.clerk)
    services.case_dispatch(case=made[1], actor=world.dispatcher, department=world.housing)
    services.case_claim(case=made[1], actor=world.handler)
    services.case_reply(case=made[1], actor=world.handler, content="已安排更换路灯，现已恢复照明。")

    qs = case_list(staff=world.admin, filters=CaseFilters(channel="visit"))
    data = case_export_xlsx(qs)
    out = tmp_path / "export.xlsx"
    out.write_bytes(data)

    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["编号", "查询码", "渠道", "标题"] and "答复意见" in header and "重办次数" in header
    assert ws[1][0].font.bold and ws.freeze_panes == "A2"
    body = {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(body) == {made[0].number, made[1].number}
    replied = body[made[1].number]
    assert replied["状态"] == "已答复" and replied["答复意见"] == "已安排更换路灯，现已恢复照明。"
    assert replied["渠道"] == "来访" and replied["信访人"] == "王**" and replied["牵头单位"] == world.housing.name
    assert replied["地区"] == "青溪县临溪镇柳塘村" and replied["重办次数"] == 0
    assert isinstance(replied["登记时间"], dt.datetime)
    assert body[made[0].number]["标题"].startswith("=HYPERLINK")  # kept as text, never a formula
    assert "13812348000" not in str(list(ws.values))


@pytest.mark.django_db
def test_export_command_filters_by_status_and_user(world, tmp_path):
    for i in range(2):
        services.case_register(title=f"漏水{i}", content="楼上卫生间漏水。", channel="visit", region=world.town, actor=world.clerk)
    services.case_register(title="石门镇路面破损", content="镇上道路破损严重。", channel="visit", region=world.other_town, actor=world.clerk)
    out = tmp_path / "cases.xlsx"

    call_command("export_cases", str(out), "--status", "registered", "--user", "other_clerk")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["石门镇路面破损"]

    call_command("export_cases", str(out), "--from", timezone.localdate().isoformat())
    assert openpyxl.load_workbook(out).active.max_row == 4

    with pytest.raises(CommandError, match="未知的状态"):
        call_command("export_cases", str(out), "--status", "lost")
