"""The staff console: login, queue, intake, the case page and its actions, export."""

import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.cases.states import Status
from tests.web.helpers import ID_NUMBER, PHONE, PNG, petitioner, register, replied, section, text
from tests.world import PASSWORD


def as_user(client, user):
    client.force_login(user)
    return client


def action_urls(html: str, case) -> set[str]:
    return set(re.findall(rf'action="/staff/cases/{case.pk}/(\w+)"', html)) - {"reveal", "attach"}


# ---------------------------------------------------------------- login


def test_anonymous_staff_pages_redirect_to_login(client, world):
    case = register(world)
    for url in ("/staff/", "/staff/intake", f"/staff/cases/{case.pk}", "/staff/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/staff/login?next="), url
    response = client.post(f"/staff/cases/{case.pk}/accept")
    assert response.status_code == 302 and "/staff/login" in response.url
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_staff_logs_in_sees_name_and_role_and_logs_out(client, world):
    response = client.post("/staff/login", {"username": "clerk", "password": PASSWORD}, follow=True)
    html = text(response)
    assert response.redirect_chain[-1][0] == "/staff/"
    assert "受理员" in html and "我的待办" in html and "退出" in html
    response = client.post("/staff/logout")
    assert response.status_code == 302 and response.url == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_wrong_password_shows_a_chinese_error(client, world):
    response = client.post("/staff/login", {"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in text(response)


def test_login_page_is_chinese_whatever_the_browser_language(client, world):
    html = text(client.get("/staff/login", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert "枫桥 · 矛盾纠纷多元化解平台" in html and "用户名" in html and "密码" in html


def test_locked_account_is_told_so(client, world):
    for _ in range(5):
        client.post("/staff/login", {"username": "clerk", "password": "wrong-password"})
    response = client.post("/staff/login", {"username": "clerk", "password": PASSWORD})
    assert "账号已锁定" in text(response)
    assert client.get("/staff/").status_code == 302


# ---------------------------------------------------------------- queue


def test_queue_lists_only_cases_in_scope_with_deadline_colours(client, world):
    overdue = register(world, title="占道经营无人管", days_ago=40)
    fresh = register(world, title="小区电梯坏了")
    elsewhere = register(world, title="石门镇垃圾清运", region=world.other_town)
    html = text(as_user(client, world.clerk).get("/staff/"))
    rows = section(html, "cases")
    assert overdue.number in rows and fresh.number in rows and elsewhere.number in rows  # the county sees both towns
    other = text(as_user(client, world.other_clerk).get("/staff/"))
    assert elsewhere.number in other and overdue.number not in other and fresh.number not in other
    counts = section(html, "colour-counts")
    assert re.search(r"已超期 <b>1</b>", counts) and re.search(r"正常 <b>2</b>", counts)
    assert "dot-red" in rows and "dot-green" in rows
    red_only = section(text(as_user(client, world.clerk).get("/staff/", {"colour": "red"})), "cases")
    assert red_only.count("/staff/cases/") == 2  # number and title link of one row
    assert overdue.number in red_only and fresh.number not in red_only


def test_queue_costs_the_same_queries_for_few_or_many_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        register(world, title=f"案件{i}", days_ago=i)
    as_user(client, world.clerk)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/")
    for i in range(25):
        register(world, title=f"更多案件{i}", days_ago=i)
    with CaptureQueriesContext(connection) as many:
        html = text(client.get("/staff/"))
    assert html.count("/staff/cases/") == 2 * 28
    assert len(many.captured_queries) == len(few.captured_queries)


def test_queue_default_follows_the_role(client, world):
    new = register(world, title="新登记的案件")
    sent = register(world, title="已交办的案件")
    services.case_accept(case=sent, actor=world.clerk)
    services.case_dispatch(case=sent, actor=world.dispatcher, department=world.housing)
    clerk_rows = section(text(as_user(client, world.clerk).get("/staff/")), "cases")
    assert new.number in clerk_rows and sent.number not in clerk_rows
    handler_html = text(as_user(client, world.handler).get("/staff/"))
    assert sent.number in section(handler_html, "cases") and new.number not in handler_html
    everything = section(text(as_user(client, world.clerk).get("/staff/", {"status": "all"})), "cases")
    assert new.number in everything and sent.number in everything


def test_queue_filters_by_text_and_number(client, world):
    lamp = register(world, title="路灯不亮")
    register(world, title="噪音扰民")
    as_user(client, world.clerk)
    rows = section(text(client.get("/staff/", {"q": "路灯"})), "cases")
    assert lamp.number in rows and "噪音扰民" not in rows
    rows = section(text(client.get("/staff/", {"code": lamp.number, "status": "all"})), "cases")
    assert "路灯不亮" in rows and "噪音扰民" not in rows
    rows = section(text(client.get("/staff/", {"code": lamp.query_code.lower(), "status": "all"})), "cases")
    assert "路灯不亮" in rows and "噪音扰民" not in rows


def test_htmx_filter_returns_only_the_results(client, world):
    register(world)
    html = text(as_user(client, world.clerk).get("/staff/", {"q": "电梯"}, headers={"HX-Request": "true"}))
    assert "<html" not in html and 'class="cases"' in html


# ---------------------------------------------------------------- intake


def _intake_data(world, **kw):
    return {
        "channel": "hotline", "name": "张三", "phone": PHONE, "id_number": "", "address": "", "title": "楼上漏水",
        "content": "楼上住户卫生间漏水到我家，协商不成", "region": str(world.town.pk), "category": str(world.category.pk),
        "form_key": "0123456789abcdef", **kw,
    }


def test_intake_lookup_finds_earlier_cases_by_phone(client, world):
    earlier = register(world, title="以前反映的噪音问题")
    register(world, title="别人的事", petitioner=petitioner(phone="13900001111", id_number=""))
    html = text(as_user(client, world.clerk).get("/staff/intake/lookup", {"phone": PHONE}))
    assert earlier.number in html and "以前反映的噪音问题" in html and "别人的事" not in html
    assert text(client.get("/staff/intake/lookup", {"id_number": ID_NUMBER})).count(earlier.number) == 1
    assert text(client.get("/staff/intake/lookup", {"phone": "1381234"})).strip() == ""


def test_intake_registers_once_and_opens_the_case(client, world):
    as_user(client, world.clerk)
    assert 'hx-get="/staff/intake/lookup"' in text(client.get("/staff/intake"))
    response = client.post("/staff/intake", _intake_data(world))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/cases/{case.pk}"
    assert case.channel == "hotline" and case.category == world.category and case.registered_by == world.clerk
    client.post("/staff/intake", _intake_data(world))
    assert Case.objects.count() == 1
    html = text(client.get(response.url))
    assert case.query_code in html and "楼上漏水" in html


def test_intake_bad_id_number_is_shown_beside_the_field(client, world):
    response = as_user(client, world.clerk).post("/staff/intake", _intake_data(world, id_number="110105194912310021"))
    assert response.status_code == 422
    assert "身份证号码无效" in text(response) and "楼上住户卫生间漏水" in text(response)
    assert not Case.objects.exists()


def test_intake_offers_only_regions_in_the_jurisdiction(client, world):
    html = text(as_user(client, world.other_clerk).get("/staff/intake"))
    assert "石门镇" in html and "临溪镇" not in html
    response = client.post("/staff/intake", _intake_data(world, region=str(world.town.pk)))
    assert response.status_code == 400 and not Case.objects.exists()


# ---------------------------------------------------------------- the case page


def test_case_outside_scope_is_a_404(client, world):
    case = register(world)
    response = as_user(client, world.other_clerk).get(f"/staff/cases/{case.pk}")
    assert response.status_code == 404 and "页面不存在" in text(response)
    response = client.post(f"/staff/cases/{case.pk}/accept", {})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_case_page_offers_only_the_allowed_actions(client, world):
    case = register(world, category=world.category)
    html = text(as_user(client, world.clerk).get(f"/staff/cases/{case.pk}"))
    assert action_urls(html, case) == {"accept", "reject"}
    assert "王*" in html and "138****8000" in html and PHONE not in html and ID_NUMBER not in html
    assert action_urls(text(as_user(client, world.supervisor).get(f"/staff/cases/{case.pk}")), case) == set()
    services.case_accept(case=case, actor=world.clerk)
    html = text(as_user(client, world.dispatcher).get(f"/staff/cases/{case.pk}"))
    assert action_urls(html, case) == {"dispatch", "escalate"}
    # the responsibility list suggests the lead department
    assert f'<option value="{world.housing.pk}" selected>' in html


def test_full_loop_through_the_pages(client, world):
    client.post("/submit", {
        "title": "小区电梯坏了", "content": "电梯停运一周无人修理", "name": "王小明", "phone": PHONE, "address": "柳塘村",
        "region": str(world.village.pk), "form_key": "loop0000loop0000",
    })
    case = Case.objects.get()
    url = f"/staff/cases/{case.pk}"

    def step(user, action, data, expect_message, expect_in_timeline):
        response = as_user(client, user).post(f"{url}/{action}", data, follow=True)
        html = text(response)
        assert response.status_code == 200, html
        assert expect_message in html
        assert expect_in_timeline in section(html, "timeline")
        return html

    step(world.clerk, "accept", {"category": world.category.pk}, "已受理", "受理")
    html = step(world.dispatcher, "dispatch", {"department": world.housing.pk, "co_departments": [world.town_gov.pk]},
                "已交办", "交办")
    assert "临溪镇人民政府" in html
    step(world.handler, "claim", {}, "已签收", "签收")
    step(world.handler, "reply", {"content": "已联系物业，电梯已修复"}, "已答复", "已联系物业，电梯已修复")
    client.logout()
    client.post(f"/track/{case.query_code}/evaluate", {"rating": "satisfied", "comment": "满意"})
    html = step(world.clerk, "close", {"note": "回访确认"}, "已办结", "办结")
    timeline = section(html, "timeline")
    labels = re.findall(r"<strong>(.*?)</strong>", timeline)
    assert labels == ["登记", "受理", "交办", "签收", "答复", "评价", "办结"]
    assert "信访人" in timeline and "handler（承办人）" in timeline
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.lead_department == world.housing


def test_illegal_action_shows_the_chinese_reason(client, world):
    case = register(world)
    response = as_user(client, world.clerk).post(f"/staff/cases/{case.pk}/claim", {})
    assert response.status_code == 409
    assert "案件当前状态为“已登记”，不能签收" in text(response)
    services.case_accept(case=case, actor=world.clerk)
    response = client.post(f"/staff/cases/{case.pk}/dispatch", {"department": world.housing.pk})
    assert response.status_code == 403
    assert "“受理员”角色不能交办" in text(response)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_action_form_error_keeps_the_input(client, world):
    case = replied(world)
    services.case_evaluate(case=case, actor=None, rating="dissatisfied")  # back to the department: 重办
    response = as_user(client, world.handler).post(f"/staff/cases/{case.pk}/reply", {"content": "好"})
    assert response.status_code == 400
    html = text(response)
    assert 'id="action-reply" open' in html and ">\n好</textarea>" in html


def test_extension_beyond_the_limit_is_refused_in_chinese(client, world):
    case = register(world)
    services.case_accept(case=case, actor=world.clerk)
    services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing)
    response = as_user(client, world.leader).post(f"/staff/cases/{case.pk}/extend", {"days": 90, "reason": "需要鉴定"})
    assert response.status_code == 422 and "延期天数须在1到30个工作日之间" in text(response)
    response = client.post(f"/staff/cases/{case.pk}/extend", {"days": 10, "reason": "需要鉴定"}, follow=True)
    assert "已延期" in text(response) and "需要鉴定" in section(text(response), "timeline")


def test_unknown_action_is_a_404(client, world):
    case = register(world)
    assert as_user(client, world.clerk).post(f"/staff/cases/{case.pk}/delete", {}).status_code == 404


def test_reveal_shows_the_full_data_once_and_is_audited(client, world):
    from fengqiao.core.models import AuditEntry

    case = register(world)
    as_user(client, world.clerk)
    response = client.post(f"/staff/cases/{case.pk}/reveal", {"reason": "电话回访"})
    html = text(response)
    assert PHONE in html and ID_NUMBER in html and "王小明" in html
    assert response["Cache-Control"] == "no-store"
    assert PHONE not in text(client.get(f"/staff/cases/{case.pk}"))
    assert AuditEntry.objects.filter(action="petitioner.reveal").count() == 1
    assert "查看完整信息" not in text(as_user(client, world.supervisor).get(f"/staff/cases/{case.pk}"))


def test_reveal_needs_a_reason(client, world):
    case = register(world)
    response = as_user(client, world.clerk).post(f"/staff/cases/{case.pk}/reveal", {"reason": ""})
    assert response.status_code == 400 and PHONE not in text(response)


def test_attachment_download_checks_the_case_scope(client, world):
    case = register(world)
    att = services.attachment_add(case=case, actor=None, uploaded=SimpleUploadedFile("现场.png", PNG))
    url = f"/staff/cases/{case.pk}/attachments/{att.pk}"
    response = as_user(client, world.clerk).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "现场.png" in text(client.get(f"/staff/cases/{case.pk}"))
    assert as_user(client, world.other_clerk).get(url).status_code == 404


def test_staff_uploads_an_attachment_on_the_case_page(client, world):
    case = register(world)
    response = as_user(client, world.clerk).post(
        f"/staff/cases/{case.pk}/attach", {"file": SimpleUploadedFile("调查笔录.pdf", b"%PDF-1.4 test")}, follow=True
    )
    assert "附件已上传" in text(response) and "调查笔录.pdf" in text(response)


# ---------------------------------------------------------------- export


def test_export_returns_the_filtered_rows_as_xlsx(client, world):
    register(world, title="路灯不亮")
    register(world, title="路灯闪烁")
    register(world, title="噪音扰民")
    register(world, title="石门镇路灯", region=world.other_town)
    response = as_user(client, world.other_clerk).get("/staff/export.xlsx", {"q": "路灯", "status": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[rows[0].index("标题")] for r in rows[1:]] == ["石门镇路灯"]
    response = as_user(client, world.clerk).get("/staff/export.xlsx", {"q": "路灯", "status": "all"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    titles = sorted(r[rows[0].index("标题")] for r in rows[1:])
    assert titles == ["石门镇路灯", "路灯不亮", "路灯闪烁"]
    assert all(PHONE not in str(cell) for row in rows for cell in row)
