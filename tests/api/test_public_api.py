"""The public JSON API: submit a matter, follow it by query code, rate the answer, appeal."""

import json
import re

import pytest
from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case, Petitioner
from fengqiao.cases.states import Rating, Status
from tests.cases.drive import drive_to

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
ID_NUMBER = "11010519491231002X"
PHONE = "13812348000"
BASE = "/api/v1/public/cases"
SUBMISSION = {
    "title": "路灯不亮",
    "content": "柳塘村村口到小学一段路灯已经一个月不亮，孩子晚上放学很危险。",
    "name": "陈阿婆",
    "phone": PHONE,
    "id_number": ID_NUMBER,
    "address": "柳塘村2组",
}


@pytest.fixture
def client():
    return Client()


def _post(client, path, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=headers)


def _submit(client, **changes):
    response = _post(client, BASE, {**SUBMISSION, **changes})
    assert response.status_code == 201, response.content
    return response.json()


def _no_pii(response):
    text = response.content.decode()
    for secret in (PHONE, ID_NUMBER, PHONE[3:7] + PHONE[7:], ID_NUMBER[6:14], "陈阿婆"):
        assert secret not in text


def test_submit_returns_query_code(world, client):
    body = _submit(client)
    assert CODE.match(body["query_code"])
    assert body["status"] == Status.REGISTERED and body["status_label"] == "已登记"
    assert body["channel"] == "online" and body["region"] == world.county.name
    assert [t["action"] for t in body["timeline"]] == ["register"]
    case = Case.objects.get()
    assert case.query_code == body["query_code"] and case.petitioner.id_number == ID_NUMBER
    assert case.registered_by is None


def test_submit_to_a_region_by_channel(world, client):
    body = _submit(client, region_code=world.town.code, channel="qrcode", name=None, phone=None, id_number=None,
                   address=None)
    case = Case.objects.get(query_code=body["query_code"])
    assert case.region == world.town and case.channel == "qrcode" and case.level == "town"
    assert case.petitioner is None
    assert body["timeline"][0]["note"].startswith("您的诉求已登记（扫码报事）")


@pytest.mark.parametrize("changes,field", [
    ({"title": ""}, "标题"),
    ({"title": "   "}, "标题"),
    ({"content": ""}, "诉求内容"),
    ({"content": "灯坏了"}, "诉求内容"),
    ({"id_number": "110105194912310021"}, "身份证"),
    ({"id_number": "12345"}, "身份证"),
    ({"phone": "12345"}, "电话"),
    ({"phone": "1381234800a"}, "电话"),
    ({"region_code": "000000"}, "地区"),
    ({"channel": "fax"}, "channel"),
    ({"title": None}, "title"),
    ({"title": 123}, "title"),
    ({"content": ["电梯", "坏了"]}, "content"),
    ({"phone": "1" * 30}, "phone"),
    ({"title": "长" * 201}, "title"),
])
def test_bad_submission_gets_chinese_detail_and_stores_nothing(world, client, changes, field):
    response = _post(client, BASE, {**SUBMISSION, **changes})
    assert 400 <= response.status_code < 500
    body = response.json()
    assert CJK.search(body["detail"]) and field in body["detail"]
    assert body["detail_en"]
    assert not Case.objects.exists() and not Petitioner.objects.exists()


def test_missing_fields_named(world, client):
    response = _post(client, BASE, {"name": "陈阿婆"})
    assert response.status_code == 422
    assert "title" in response.json()["detail"] and "content" in response.json()["detail"]


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe", "", "[1, 2]", '"text"', "null", "42"])
def test_malformed_body_is_4xx_never_500(world, client, raw):
    response = _post(client, BASE, raw)
    assert 400 <= response.status_code < 500
    assert CJK.search(response.json()["detail"])
    assert not Case.objects.exists()


def test_nul_characters_do_not_break_storage(world, client):
    body = _submit(client, title="路灯\x00不亮", content="村口路灯\x00一个月不亮了", name="陈\x00阿婆")
    case = Case.objects.get(query_code=body["query_code"])
    assert case.title == "路灯不亮" and "\x00" not in case.content
    assert case.petitioner.name == "陈阿婆"


def test_follow_by_query_code_shows_public_timeline_without_pii(world, client):
    body = _submit(client, content=f"路灯坏了一个月，请联系我 {PHONE}，身份证 {ID_NUMBER}。")
    case = Case.objects.get(query_code=body["query_code"])
    case = services.case_accept(case=case, actor=world.clerk, note="内部备注：联系村委会")
    case = services.case_dispatch(case=case, actor=world.dispatcher, department=world.town_gov)
    for code in (body["query_code"], body["query_code"].lower(), body["query_code"].replace("-", "")):
        response = client.get(f"{BASE}/{code}")
        assert response.status_code == 200
        shown = response.json()
        assert shown["status"] == Status.DISPATCHED and shown["status_label"] == "已交办"
        assert [t["action"] for t in shown["timeline"]] == ["register", "accept", "dispatch"]
        assert shown["timeline"][2]["note"] == "已交办至临溪镇人民政府"
        assert "138****8000" in shown["content"]
        _no_pii(response)
        assert "内部备注" not in response.content.decode()
        assert "dispatcher" not in response.content.decode()


def test_unknown_query_code_is_404(world, client):
    for code in ("ABCD-EFGH-JKMN", "nonsense", "%00ab", "A" * 300):
        response = client.get(f"{BASE}/{code}")
        assert response.status_code == 404
        assert response.json()["detail"] == "查询码不存在，请核对后重新输入"


def test_evaluate_after_reply(world, client):
    code = _submit(client)["query_code"]
    early = _post(client, f"{BASE}/{code}/evaluation", {"rating": "satisfied"})
    assert early.status_code == 409 and "已登记" in early.json()["detail"]
    drive_to(world, Status.REPLIED, case=Case.objects.get(query_code=code))
    assert client.get(f"{BASE}/{code}").json()["can_evaluate"] is True
    bad = _post(client, f"{BASE}/{code}/evaluation", {"rating": "great"})
    assert bad.status_code == 422 and "rating" in bad.json()["detail"]
    response = _post(client, f"{BASE}/{code}/evaluation", {"rating": "satisfied", "comment": "修好了，谢谢"})
    assert response.status_code == 200
    assert response.json()["status"] == Status.EVALUATED and response.json()["rating"] == "satisfied"
    case = Case.objects.get(query_code=code)
    assert case.evaluations.get().by_petitioner is True
    again = _post(client, f"{BASE}/{code}/evaluation", {"rating": "dissatisfied"})
    assert again.status_code == 409


def test_dissatisfied_rating_through_api_starts_redo(world, client):
    code = _submit(client)["query_code"]
    drive_to(world, Status.REPLIED, case=Case.objects.get(query_code=code))
    response = _post(client, f"{BASE}/{code}/evaluation", {"rating": Rating.DISSATISFIED})
    assert response.status_code == 200 and response.json()["status"] == Status.IN_PROGRESS
    assert response.json()["timeline"][-1]["note"] == "因评价不满意，已退回承办单位重新办理"


def test_appeal_a_closed_case(world, client):
    code = _submit(client)["query_code"]
    open_appeal = _post(client, f"{BASE}/{code}/appeal", {"reason": "答复没有解决问题"})
    assert open_appeal.status_code == 409
    drive_to(world, Status.CLOSED, case=Case.objects.get(query_code=code))
    assert client.get(f"{BASE}/{code}").json()["can_appeal"] is True
    short = _post(client, f"{BASE}/{code}/appeal", {"reason": "不行"})
    assert short.status_code == 422 and "申请理由" in short.json()["detail"]
    response = _post(client, f"{BASE}/{code}/appeal", {"reason": "路灯修好两天又坏了，申请复查"})
    assert response.status_code == 200
    assert response.json()["status"] == Status.ACCEPTED
    assert "复查" in response.json()["timeline"][-1]["note"]


def test_idempotency_key_returns_the_same_case(world, client):
    first = _post(client, BASE, SUBMISSION, **{"Idempotency-Key": "c0ffee-1"})
    retry = _post(client, BASE, SUBMISSION, **{"Idempotency-Key": "c0ffee-1"})
    assert first.status_code == retry.status_code == 201
    assert first.json()["query_code"] == retry.json()["query_code"]
    assert Case.objects.count() == 1
    other = _post(client, BASE, SUBMISSION, **{"Idempotency-Key": "c0ffee-2"})
    assert other.json()["query_code"] != first.json()["query_code"]
    assert Case.objects.count() == 2
    too_long = _post(client, BASE, SUBMISSION, **{"Idempotency-Key": "k" * 101})
    assert too_long.status_code == 422 and "Idempotency-Key" in too_long.json()["detail"]
    assert Case.objects.count() == 2


def test_someone_elses_idempotency_key_never_returns_their_case(world, client):
    mine = _post(client, BASE, SUBMISSION, **{"Idempotency-Key": "1"})
    guess = _post(client, BASE, {"title": "试试看", "content": "随便写点内容看看能看到什么"}, **{"Idempotency-Key": "1"})
    assert guess.status_code == 201
    assert guess.json()["query_code"] != mine.json()["query_code"]
    assert SUBMISSION["content"] not in guess.content.decode()
    assert Case.objects.count() == 2


def test_openapi_lists_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    expected = {
        "/api/v1/public/cases": {"post"},
        "/api/v1/public/cases/{query_code}": {"get"},
        "/api/v1/public/cases/{query_code}/evaluation": {"post"},
        "/api/v1/public/cases/{query_code}/appeal": {"post"},
        "/api/v1/cases": {"get", "post"},
        "/api/v1/cases/{case_id}": {"get"},
        "/api/v1/cases/{case_id}/events": {"get"},
        "/api/v1/departments": {"get"},
    }
    for transition in ("accept", "reject", "dispatch", "claim", "return", "escalate", "extend", "reply",
                       "evaluate", "close", "review"):
        expected[f"/api/v1/cases/{{case_id}}/{transition}"] = {"post"}
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert "409" in paths["/api/v1/cases/{case_id}/dispatch"]["post"]["responses"]
