"""The whole life of a case, walked through the pages only, as the public and the staff see them.

A member of the public raises a matter on a phone, the clerk accepts it, the dispatcher hands it to
the housing bureau, the handler claims and answers it, the public rates the answer, the clerk closes
it, and the public sees it closed without their phone number anywhere on the page.
"""

import re

import pytest

from tests.browser.conftest import shot
from tests.world import PASSWORD

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed").expect

PHONE = "13912345678"
PHONE_MASKED = "139****5678"
TITLE = "小区东门路灯坏了一个月"
CONTENT = f"春华小区东门两盏路灯坏了一个月，晚上出入很黑，老人摔倒过。物业说不归他们管。联系我请打 {PHONE}。"
REPLY = "经核查，该路灯属市政照明设施，已安排维修班组于本周三更换灯具，现已恢复照明。"
HOUSING = "青溪县住房和城乡建设局"


# ---------------------------------------------------------------- page helpers


def login(live, username: str):
    page = live.desktop()
    page.goto(live.url + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    return page


def open_from_queue(page, live, query_code: str, title: str):
    """Find the case in the queue by its query code (under 更多条件) and open it."""
    page.goto(live.url + "/staff/?status=open")
    page.locator("summary", has_text="更多条件").click()
    page.get_by_label("编号或查询码").fill(query_code)
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#results table.cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(title)
    rows.first.get_by_role("link", name=title).click()
    expect(page.locator("h1.case-title")).to_have_text(title)


def status_badge(page):
    return page.locator(".case-head .badge")


def do_action(page, action: str, label: str):
    """Open the action's fold-out on the case page and press its confirm button."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    box.get_by_role("button", name=f"确认{label}").click()


def success_message(page):
    return page.locator(".messages .msg-success")


# ---------------------------------------------------------------- the full loop


def test_full_loop_through_the_pages(live):
    # 1. The public raises the matter on a phone and gets a query code.
    public = live.phone()
    public.goto(live.url + "/")
    expect(public.get_by_role("heading", level=1)).to_contain_text("有事找我们")
    public.locator(".hero").get_by_role("link", name="我要反映").tap()
    expect(public.get_by_role("heading", name="我要反映")).to_be_visible()
    public.get_by_label("标题").fill(TITLE)
    public.get_by_label("具体内容").fill(CONTENT)
    public.get_by_label("姓名").fill("陈桂兰")
    public.get_by_label("联系电话").fill(PHONE)
    public.get_by_label("联系地址").fill("春华小区5栋")
    shot(public, "01-public-form")
    public.get_by_role("button", name="提交", exact=True).tap()
    expect(public.get_by_role("heading", name="提交成功")).to_be_visible()
    code = public.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    number = public.locator(".success strong").first.inner_text().strip()
    assert number.startswith("FQ")
    shot(public, "02-public-submitted")

    # 2. The clerk finds it in the queue by query code and accepts it.
    clerk = login(live, "clerk")
    open_from_queue(clerk, live, code, TITLE)
    expect(status_badge(clerk)).to_have_text("已登记")
    expect(clerk.locator(".case-main .facts")).to_contain_text(number)
    expect(clerk.locator(".timeline li.tl-register")).to_have_count(1)
    do_action(clerk, "accept", "受理")
    expect(success_message(clerk)).to_have_text("已受理")
    expect(status_badge(clerk)).to_have_text("已受理")
    expect(clerk.locator(".timeline li.tl-accept")).to_have_count(1)
    shot(clerk, "03-clerk-accepted")

    # 3. The dispatcher hands it to the housing bureau.
    dispatcher = login(live, "dispatcher")
    open_from_queue(dispatcher, live, code, TITLE)
    expect(status_badge(dispatcher)).to_have_text("已受理")
    box = dispatcher.locator("#action-dispatch")
    box.locator("summary").click()
    box.get_by_label("牵头单位").select_option(label=f"{HOUSING}（青溪县）")
    box.get_by_role("button", name="确认交办").click()
    expect(success_message(dispatcher)).to_have_text("已交办")
    expect(status_badge(dispatcher)).to_have_text("已交办")
    expect(dispatcher.locator(".case-main .facts div", has_text="牵头单位")).to_contain_text(HOUSING)
    expect(dispatcher.locator(".timeline li.tl-dispatch")).to_have_count(1)
    shot(dispatcher, "04-dispatcher-dispatched")

    # 4. The handler in the housing bureau claims it and answers.
    handler = login(live, "handler")
    open_from_queue(handler, live, code, TITLE)
    expect(status_badge(handler)).to_have_text("已交办")
    handler.get_by_role("button", name="签收并开始办理").click()
    expect(success_message(handler)).to_have_text("已签收，请及时办理")
    expect(status_badge(handler)).to_have_text("办理中")
    expect(handler.locator(".case-main .facts div", has_text="承办人")).to_contain_text("handler")
    shot(handler, "05-handler-claimed")
    box = handler.locator("#action-reply")
    box.locator("summary").click()
    box.get_by_label("答复意见").fill(REPLY)
    box.get_by_role("button", name="确认答复").click()
    expect(success_message(handler)).to_have_text("已答复")
    expect(status_badge(handler)).to_have_text("已答复")
    expect(handler.locator("section.reply")).to_contain_text(REPLY)
    expect(handler.locator(".timeline li.tl-reply")).to_have_count(1)
    shot(handler, "06-handler-replied")

    # 5. The public looks the case up with the query code from the home page, reads the answer, rates it.
    public.goto(live.url + "/")
    public.get_by_placeholder("输入查询码").fill(code.lower())  # typed carelessly, still found
    public.get_by_role("button", name="查询").tap()
    expect(public).to_have_url(re.compile(rf"/track/{code}$"))
    expect(public.locator(".case-head .badge")).to_have_text("已答复")
    expect(public.locator("section.reply")).to_contain_text(REPLY)
    expect(public.locator(".timeline li.tl-reply")).to_have_count(1)
    expect(public.locator(".timeline li.tl-dispatch")).to_contain_text(f"已交办至{HOUSING}")
    expect(public.locator(".facts")).to_contain_text(HOUSING)
    public.get_by_label("满意", exact=True).check()
    shot(public, "07-public-reply")
    public.get_by_role("button", name="提交评价").tap()
    expect(public.locator(".messages .msg-success")).to_have_text("感谢您的评价，我们已收到。")
    expect(public.locator(".case-head .badge")).to_have_text("已评价")
    expect(public.locator("#evaluate")).to_have_count(0)  # rated once, the form is gone
    shot(public, "08-public-rated")

    # 6. The clerk sees the rating and closes the case.
    open_from_queue(clerk, live, code, TITLE)
    expect(status_badge(clerk)).to_have_text("已评价")
    expect(clerk.locator(".badge.rating-satisfied")).to_have_text("满意")
    do_action(clerk, "close", "办结")
    expect(success_message(clerk)).to_have_text("已办结")
    expect(status_badge(clerk)).to_have_text("已办结")
    expect(clerk.locator(".timeline li.tl-close")).to_have_count(1)
    expect(clerk.locator("#action-close")).to_have_count(0)  # only an appeal can reopen it now
    expect(clerk.locator(".actions-card summary")).to_have_text(["申请复查/复核"])
    shot(clerk, "09-clerk-closed")

    # 7. The public sees it closed; no trace of their phone number on the page.
    public.reload()
    expect(public.locator(".case-head .badge")).to_have_text("已办结")
    expect(public.locator(".timeline li.tl-close")).to_have_count(1)
    expect(public.locator("#appeal")).to_contain_text("申请复查")
    public.get_by_text("我反映的内容").tap()
    expect(public.locator(".content-box")).to_contain_text(f"联系我请打 {PHONE_MASKED}")  # masked in free text
    shot(public, "10-public-closed")
    html = public.content()
    assert PHONE not in html
    assert "陈桂兰" not in html


# ---------------------------------------------------------------- refusals


def _case_in_progress(live, title: str) -> dict:
    """A case claimed by the housing handler, built with the services in the server's database."""
    return live.service(f"""
import json
from fengqiao.cases import services
from fengqiao.cases.states import Channel
from fengqiao.org.models import Department, Region, Staff
s = {{u.username: u for u in Staff.objects.filter(username__in=["clerk", "dispatcher", "handler"])}}
case, _ = services.case_register(title={title!r}, content="楼道里堆满杂物，消防通道被堵，多次反映无人处理",
    channel=Channel.ONLINE, region=Region.objects.get(code="990101"), actor=None,
    petitioner=services.PetitionerData(name="周建国", phone="13700001111", address="临溪镇"))
services.case_accept(case=case, actor=s["clerk"])
services.case_dispatch(case=case, actor=s["dispatcher"], department=Department.objects.get(name="{HOUSING}"))
services.case_claim(case=case, actor=s["handler"])
print(json.dumps({{"id": case.pk, "code": case.query_code}}))
""")


def test_refused_actions_show_the_chinese_reason(live):
    title = "楼道杂物堵塞消防通道"
    case = _case_in_progress(live, title)
    url = f"{live.url}/staff/cases/{case['id']}"
    handler = login(live, "handler")
    handler.goto(url)
    expect(status_badge(handler)).to_have_text("办理中")

    # An empty reply is refused beside the field; the fold-out stays open and nothing changes.
    box = handler.locator("#action-reply")
    box.locator("summary").click()
    with handler.expect_response(lambda r: r.url.endswith("/reply")) as answer:
        box.get_by_role("button", name="确认答复").click()
    assert answer.value.status == 400
    expect(box).to_have_attribute("open", "")
    expect(box.locator(".field.has-error .error")).to_have_text("这个字段是必填项。")
    expect(status_badge(handler)).to_have_text("办理中")
    expect(handler.locator(".timeline li.tl-reply")).to_have_count(0)
    shot(handler, "11-refused-empty-reply")

    # A second tab, opened before the first one answered, is refused by the service with its reason.
    stale = handler.context.new_page()
    stale.goto(url)
    box.get_by_label("答复意见").fill("已通知物业当天清理楼道杂物，消防通道已畅通。")
    box.get_by_role("button", name="确认答复").click()
    expect(success_message(handler)).to_have_text("已答复")
    stale_box = stale.locator("#action-reply")
    stale_box.locator("summary").click()
    stale_box.get_by_label("答复意见").fill("这是另一个窗口里写的答复，不应被保存。")
    with stale.expect_response(lambda r: r.url.endswith("/reply")) as answer:
        stale_box.get_by_role("button", name="确认答复").click()
    assert answer.value.status == 409
    expect(stale.get_by_role("alert")).to_have_text("案件当前状态为“已答复”，不能答复")
    expect(status_badge(stale)).to_have_text("已答复")
    expect(stale.locator("section.reply")).to_contain_text("消防通道已畅通")
    expect(stale.locator(".timeline li.tl-reply")).to_have_count(1)
    shot(stale, "12-refused-stale-reply")


def test_phone_submit_with_a_bad_phone_number_keeps_what_was_typed(live):
    page = live.phone()
    page.goto(live.url + "/submit")
    page.get_by_label("标题").fill("村口垃圾站无人清运")
    page.get_by_label("具体内容").fill("村口垃圾站已经一个星期没有清运，气味很大，夏天蚊蝇多。")
    page.get_by_label("姓名").fill("李秀英")
    page.get_by_label("联系电话").fill("1391234")
    page.get_by_label("联系地址").fill("柳塘村2组")
    with page.expect_response(lambda r: r.url.endswith("/submit") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="提交", exact=True).tap()
    assert answer.value.status == 422
    phone_field = page.locator(".field.has-error", has=page.get_by_label("联系电话"))
    expect(phone_field.locator(".error")).to_have_text("联系电话格式不正确，请填写11位手机号或带区号的座机号")
    expect(page.locator(".field.has-error")).to_have_count(1)  # only the phone is wrong
    expect(page.get_by_role("heading", name="提交成功")).to_have_count(0)
    expect(page.get_by_label("标题")).to_have_value("村口垃圾站无人清运")
    expect(page.get_by_label("具体内容")).to_have_value("村口垃圾站已经一个星期没有清运，气味很大，夏天蚊蝇多。")
    expect(page.get_by_label("姓名")).to_have_value("李秀英")
    expect(page.get_by_label("联系电话")).to_have_value("1391234")
    expect(page.get_by_label("联系地址")).to_have_value("柳塘村2组")
    phone_field.scroll_into_view_if_needed()
    shot(page, "13-public-bad-phone")

    # Corrected, the same form goes through.
    page.get_by_label("联系电话").fill("13912340000")
    page.get_by_role("button", name="提交", exact=True).tap()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(page.locator("#query-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
