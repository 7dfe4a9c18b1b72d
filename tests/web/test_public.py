"""The public portal, as a petitioner on a phone uses it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.cases import services
from fengqiao.cases.models import Attachment, Case
from fengqiao.cases.states import Status
from tests.web.helpers import ID_NUMBER, PHONE, PNG, register, replied, section, text


def _submit_data(world, **kw):
    return {
        "title": "路灯不亮", "content": "村口三盏路灯坏了两个月，晚上出行不安全", "name": "李桂兰", "phone": PHONE,
        "id_number": ID_NUMBER, "address": "柳塘村5组", "region": str(world.village.pk), "form_key": "a1b2c3d4e5f6a7b8",
        **kw,
    }


def test_home_offers_raise_and_track(client, world):
    html = text(client.get("/"))
    assert "小事不出村" in html
    assert reverse("web:submit") in html and "我要反映" in html and "查询进度" in html


def test_submit_form_carries_csrf_and_a_fresh_key(client, world):
    first, second = text(client.get("/submit")), text(client.get("/submit"))
    assert "csrfmiddlewaretoken" in first
    key = lambda html: html.split('name="form_key" value="')[1].split('"')[0]  # noqa: E731
    assert key(first) != key(second)


def test_submit_shows_query_code_and_a_double_post_makes_one_case(client, world):
    response = client.post("/submit", _submit_data(world))
    assert response.status_code == 200
    case = Case.objects.get()
    html = text(response)
    assert case.query_code in html and case.number in html and "抄写" in html
    assert case.region == world.village and case.channel == "online"
    again = client.post("/submit", _submit_data(world))
    assert Case.objects.count() == 1
    assert case.query_code in text(again)


def test_submit_without_region_goes_to_the_default_county(client, world):
    client.post("/submit", _submit_data(world, region=""))
    assert Case.objects.get().region == world.county


def test_submit_with_a_bad_phone_keeps_what_was_typed(client, world):
    response = client.post("/submit", _submit_data(world, phone="12345"))
    assert response.status_code == 422
    html = text(response)
    assert "联系电话格式不正确" in html
    assert "村口三盏路灯坏了两个月" in html and 'value="路灯不亮"' in html
    assert not Case.objects.exists()


def test_submit_requires_title_and_content(client, world):
    response = client.post("/submit", _submit_data(world, title="", content=""))
    assert response.status_code == 400
    assert "这个字段是必填项" in text(response)
    assert not Case.objects.exists()


def test_submit_with_a_picture_stores_it(client, world):
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    client.post("/submit", {**_submit_data(world), "attachment": upload})
    att = Attachment.objects.get()
    assert att.original_name == "现场.png" and att.case == Case.objects.get()


def test_submit_refuses_a_file_that_is_not_a_picture_or_pdf(client, world):
    upload = SimpleUploadedFile("a.png", b"MZ\x90\x00not really", content_type="image/png")
    response = client.post("/submit", {**_submit_data(world), "attachment": upload})
    assert response.status_code == 400
    assert "只接受 JPG、PNG 图片或 PDF 文件" in text(response)
    assert not Case.objects.exists()


def test_track_form_finds_the_case_by_code_in_any_spelling(client, world):
    case = register(world)
    sloppy = case.query_code.replace("-", "").lower()
    response = client.get("/track", {"code": sloppy})
    assert response.status_code == 302 and response.url == f"/track/{case.query_code}"


def test_track_form_says_so_when_the_code_is_unknown(client, world):
    response = client.get("/track", {"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 400
    assert "查询码不存在" in text(response)


def test_unknown_code_page_is_a_chinese_404(client, world):
    response = client.get("/track/ABCD-EFGH-JKMN")
    assert response.status_code == 404
    assert "页面不存在" in text(response)


def test_track_page_shows_the_timeline_and_no_phone_or_id_number(client, world):
    case = replied(world, content=f"我的电话{PHONE}，身份证{ID_NUMBER}，电梯停运一周无人修理")
    html = text(client.get(f"/track/{case.query_code}"))
    timeline = section(html, "timeline")
    for step in ("登记", "受理", "交办", "签收", "答复"):
        assert step in timeline
    assert "青溪县住房和城乡建设局" in timeline
    assert "电梯已于周五修复" in html
    assert PHONE not in html and ID_NUMBER not in html
    assert "138****8000" in html
    assert "handler" not in timeline  # no staff names on the public page


def test_petitioner_rates_the_reply_through_the_page(client, world):
    case = replied(world)
    assert "请您评价" in text(client.get(f"/track/{case.query_code}"))
    response = client.post(f"/track/{case.query_code}/evaluate", {"rating": "satisfied", "comment": "修得很快"}, follow=True)
    html = text(response)
    assert "感谢您的评价" in html
    assert "评价：满意" in section(html, "timeline")
    assert "请您评价" not in html
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.evaluations.get().comment == "修得很快"


def test_rating_twice_shows_the_reason_instead_of_failing(client, world):
    case = replied(world)
    client.post(f"/track/{case.query_code}/evaluate", {"rating": "satisfied"})
    response = client.post(f"/track/{case.query_code}/evaluate", {"rating": "dissatisfied"})
    assert response.status_code == 409
    assert "不能评价" in text(response)


def test_petitioner_appeals_a_closed_case_then_once_more(client, world):
    case = replied(world)
    services.case_evaluate(case=case, actor=None, rating="basically_satisfied")
    services.case_close(case=case, actor=world.clerk)
    html = text(client.get(f"/track/{case.query_code}"))
    assert "申请复查" in html and "请您评价" not in html
    response = client.post(f"/track/{case.query_code}/appeal", {"reason": "电梯修好后又坏了，物业推诿"}, follow=True)
    html = text(response)
    assert "复查申请已提交" in html
    assert "已申请复查" in section(html, "timeline")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.appeal_stage == 1


def test_appeal_reason_too_short_is_kept_with_the_error(client, world):
    case = replied(world)
    services.case_evaluate(case=case, actor=None, rating="satisfied")
    services.case_close(case=case, actor=world.clerk)
    response = client.post(f"/track/{case.query_code}/appeal", {"reason": "不行"})
    assert response.status_code == 400
    assert "不行" in text(response)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
