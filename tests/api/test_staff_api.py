"""The staff JSON API: bearer tokens, scoped lists, details, timelines and every transition."""

import json
import re

import pytest
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.cases.states import Status
from fengqiao.org.services import token_create
from tests.cases.drive import case_new, drive_to

CJK = re.compile(r"[\u4e00-\u9fff]")


class StaffApi:
    """A django.test.Client speaking to /api/v1 as one member of staff."""

    def __init__(self, staff=None, token=None):
        self.client = Client()
        self.token = token if token is not None else (token_create(staff=staff) if staff else None)

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(self, path, body=None):
        data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json", headers=self._headers())


@pytest.fixture
def as_(world):
    cache = {}

    def make(username):
        if username not in cache:
            cache[username] = StaffApi(world.staff[username])
        return cache[username]

    return make


STAFF_GETS = ["/cases", "/cases/{id}", "/cases/{id}/events", "/departments"]


@pytest.mark.parametrize("path", STAFF_GETS + ["/cases/{id}/accept"])
@pytest.mark.parametrize("token", [None, "", "fq_not-a-real-token", "Basic abc"])
def test_staff_endpoints_need_a_valid_token(world, path, token):
    case = case_new(world)
    api = StaffApi(token=token)
    url = path.format(id=case.pk)
    response = api.post(url) if url.endswith("accept") else api.get(url)
    assert response.status_code == 401
    assert CJK.search(response.json()["detail"])
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_token_of_deactivated_staff_refused(world):
    api = StaffApi(world.clerk)
    assert api.get("/cases").status_code == 200
    world.clerk.is_active = False
    world.clerk.save()
    assert api.get("/cases").status_code == 401


def test_list_is_paginated_and_filtered(world, as_):
    cases = [case_new(world, title=f"噪音扰民第{i}号") for i in range(5)]
    drive_to(world, Status.ACCEPTED, case=cases[0])
    api = as_("clerk")
    page1 = api.get("/cases", page_size=2).json()
    assert (page1["count"], page1["pages"], page1["page"], len(page1["results"])) == (5, 3, 1, 2)
    page3 = api.get("/cases", page_size=2, page=3).json()
    assert len(page3["results"]) == 1
    seen = {r["id"] for p in (1, 2, 3) for r in api.get("/cases", page_size=2, page=p).json()["results"]}
    assert seen == {c.pk for c in cases}

    by_code = api.get("/cases", query_code=cases[3].query_code.lower()).json()
    assert [r["id"] for r in by_code["results"]] == [cases[3].pk]
    accepted = api.get("/cases", status="accepted").json()
    assert [r["id"] for r in accepted["results"]] == [cases[0].pk]
    both = api.get("/cases", status="accepted,registered").json()
    assert both["count"] == 5
    assert api.get("/cases", q="第2号").json()["count"] == 1
    assert api.get("/cases", status="no-such-status").json()["count"] == 0


def test_list_is_jurisdiction_scoped(world, as_):
    here = case_new(world, region=world.town, title="临溪镇的事")
    there = case_new(world, region=world.other_town, title="石门镇的事")
    assert [r["id"] for r in as_("other_clerk").get("/cases").json()["results"]] == [there.pk]
    assert {r["id"] for r in as_("clerk").get("/cases").json()["results"]} == {here.pk, there.pk}
    assert as_("other_clerk").get(f"/cases/{here.pk}").status_code == 404
    assert as_("other_clerk").get(f"/cases/{here.pk}/events").status_code == 404
    refused = as_("other_clerk").post(f"/cases/{here.pk}/accept")
    assert refused.status_code == 404
    assert Case.objects.get(pk=here.pk).status == Status.REGISTERED
    # a handler sees only what its department leads or helps with
    assert as_("handler").get("/cases").json()["count"] == 0


def test_detail_shows_masked_petitioner_and_actions(world, as_):
    case = case_new(world)
    response = as_("clerk").get(f"/cases/{case.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["petitioner"] == {"name": "王**", "phone": "138****8000", "id_number": "110***********002X"}
    assert "13812348000" not in response.content.decode()
    assert set(body["actions"]) == {"accept", "reject"}
    assert body["status_label"] == "已登记" and body["colour"] == "green"
    assert as_("clerk").get("/cases/999999").status_code == 404


def test_departments_scoped(world, as_):
    names = {d["name"] for d in as_("clerk").get("/departments").json()}
    assert names == {"青溪县信访局", "青溪县住房和城乡建设局", "临溪镇人民政府", "石门镇人民政府"}
    assert [d["name"] for d in as_("other_clerk").get("/departments").json()] == ["石门镇人民政府"]


# transition → (start status, who, body, resulting status)
TRANSITIONS = {
    "accept": (Status.REGISTERED, "clerk", None, Status.ACCEPTED),
    "reject": (Status.REGISTERED, "clerk", {"reason": "属于诉讼渠道解决的事项"}, Status.REJECTED),
    "dispatch": (Status.ACCEPTED, "dispatcher", "DISPATCH", Status.DISPATCHED),
    "claim": (Status.DISPATCHED, "handler", None, Status.IN_PROGRESS),
    "return": (Status.IN_PROGRESS, "handler", {"reason": "不属于本单位职责"}, Status.RETURNED),
    "escalate": (Status.ACCEPTED, "dispatcher", {"reason": "跨县事项，需市级协调"}, Status.ACCEPTED),
    "extend": (Status.IN_PROGRESS, "leader", {"days": 10, "reason": "需要第三方检测"}, Status.IN_PROGRESS),
    "reply": (Status.IN_PROGRESS, "handler", {"content": "已协调物业公司完成维修。"}, Status.REPLIED),
    "evaluate": (Status.REPLIED, "clerk", {"rating": "basically_satisfied", "comment": "回访：基本满意"}, Status.EVALUATED),
    "close": (Status.REPLIED, "clerk", {"note": "群众认可"}, Status.CLOSED),
    "review": (Status.CLOSED, "clerk", {"reason": "信访人来电申请复查，认为答复不实"}, Status.ACCEPTED),
}


@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_every_transition_through_the_api(world, as_, transition):
    start, who, body, result = TRANSITIONS[transition]
    case = drive_to(world, start)
    if body == "DISPATCH":
        body = {"department_id": world.housing.pk, "co_department_ids": [world.town_gov.pk]}
    response = as_(who).post(f"/cases/{case.pk}/{transition}", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["status"] == result == Case.objects.get(pk=case.pk).status
    events = as_(who).get(f"/cases/{case.pk}/events").json()
    assert events[-1]["action"] == transition and events[-1]["to_status"] == result
    if transition == "dispatch":
        assert out["lead_department"]["name"] == "青溪县住房和城乡建设局"
        assert [d["name"] for d in out["co_departments"]] == ["临溪镇人民政府"]
    if transition == "escalate":
        assert out["level"] == "city"
    if transition == "extend":
        assert out["extension_count"] == 1 and events[-1]["data"] == {"days": 10}


@pytest.mark.parametrize("transition,start,who,body", [
    ("claim", Status.REGISTERED, "admin", None),
    ("reply", Status.CLOSED, "handler", {"content": "再次答复内容。"}),
    ("accept", Status.ACCEPTED, "clerk", None),
    ("evaluate", Status.IN_PROGRESS, "clerk", {"rating": "satisfied"}),
    ("review", Status.REPLIED, "clerk", {"reason": "申请复查的理由"}),
    ("close", Status.REJECTED, "clerk", None),
])
def test_illegal_transition_is_409_with_reason(world, as_, transition, start, who, body):
    case = drive_to(world, start)
    before = list(case.events.values_list("pk", flat=True))
    response = as_(who).post(f"/cases/{case.pk}/{transition}", body)
    assert response.status_code == 409
    detail = response.json()
    assert detail["code"] == "transition_not_allowed" and Status(start).label in detail["detail"]
    assert Case.objects.get(pk=case.pk).status == start
    assert list(case.events.values_list("pk", flat=True)) == before


def test_closed_case_refuses_dispatch(world, as_):
    case = drive_to(world, Status.CLOSED)
    response = as_("dispatcher").post(f"/cases/{case.pk}/dispatch", {"department_id": world.housing.pk})
    assert response.status_code == 409
    assert response.json()["detail"] == "案件当前状态为“已办结”，不能交办"
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_wrong_role_is_403(world, as_):
    case = drive_to(world, Status.REGISTERED)
    response = as_("supervisor").post(f"/cases/{case.pk}/accept")
    assert response.status_code == 403 and "督办员" in response.json()["detail"]


@pytest.mark.parametrize("transition,body,word", [
    ("dispatch", {"department_id": "housing"}, "department_id"),
    ("dispatch", {}, "department_id"),
    ("dispatch", {"department_id": 987654}, "单位不存在"),
    ("dispatch", {"department_id": 1, "co_department_ids": "all"}, "co_department_ids"),
    ("extend", {"days": "ten", "reason": "需要检测"}, "days"),
    ("extend", {"days": 31, "reason": "需要检测"}, "30"),
    ("extend", {"days": 10**12, "reason": "需要检测"}, "days"),
    ("reject", {"reason": ""}, "理由"),
    ("reject", {}, "reason"),
    ("reply", {"content": 12345}, "content"),
    ("evaluate", {"rating": "excellent"}, "rating"),
    ("accept", "{not json", "JSON"),
    ("accept", '{"category_id": "物业"}', "category_id"),
    ("accept", '{"category_id": 424242}', "分类不存在"),
])
def test_bad_transition_input_is_4xx_never_500(world, as_, transition, body, word):
    start = {"dispatch": Status.ACCEPTED, "extend": Status.IN_PROGRESS, "reject": Status.REGISTERED,
             "reply": Status.IN_PROGRESS, "evaluate": Status.REPLIED, "accept": Status.REGISTERED}[transition]
    who = {"dispatch": "dispatcher", "extend": "leader", "reply": "handler"}.get(transition, "clerk")
    case = drive_to(world, start)
    response = as_(who).post(f"/cases/{case.pk}/{transition}", body)
    assert 400 <= response.status_code < 500
    assert word in response.json()["detail"] and CJK.search(response.json()["detail"])
    assert Case.objects.get(pk=case.pk).status == start


def test_bad_query_parameters_are_422(world, as_):
    for params in ({"page": "abc"}, {"department_id": "x"}, {"mine": "maybe"}):
        response = as_("clerk").get("/cases", **params)
        assert response.status_code == 422 and CJK.search(response.json()["detail"])
    assert as_("clerk").get("/cases", q="\x00", query_code="\x00x", number="\x00").status_code == 200
    assert as_("clerk").get("/cases/not-a-number").status_code == 422


def test_staff_registers_a_visit_idempotently(world, as_):
    body = {"title": "邻里纠纷", "content": "邻居装修占用公共楼道，协商未果。", "region_code": world.town.code,
            "name": "刘桂兰", "phone": "0571-88889999"}
    api = as_("clerk")
    first = api.client.post("/api/v1/cases", data=json.dumps(body), content_type="application/json",
                            headers={**api._headers(), "Idempotency-Key": "visit-7"})
    retry = api.client.post("/api/v1/cases", data=json.dumps(body), content_type="application/json",
                            headers={**api._headers(), "Idempotency-Key": "visit-7"})
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"] and Case.objects.count() == 1
    case = Case.objects.get()
    assert case.channel == "visit" and case.registered_by == world.clerk and case.region == world.town
    refused = as_("supervisor").post("/cases", body)
    assert refused.status_code == 403 and Case.objects.count() == 1


def test_whole_loop_through_the_api(world, as_):
    submitted = Client().post("/api/v1/public/cases", data=json.dumps({
        "title": "小区垃圾清运不及时", "content": "柳塘小区垃圾桶满溢三天无人清运，气味很大。", "phone": "13955556666",
    }), content_type="application/json")
    assert submitted.status_code == 201
    code = submitted.json()["query_code"]
    found = as_("clerk").get("/cases", query_code=code).json()["results"]
    assert len(found) == 1
    case_id = found[0]["id"]
    steps = [
        ("clerk", "accept", {}),
        ("dispatcher", "dispatch", {"department_id": world.housing.pk}),
        ("handler", "claim", None),
        ("handler", "reply", {"content": "已督促物业每日清运并增设垃圾桶。"}),
        ("clerk", "evaluate", {"rating": "satisfied"}),
        ("clerk", "close", None),
    ]
    for who, transition, body in steps:
        response = as_(who).post(f"/cases/{case_id}/{transition}", body)
        assert response.status_code == 200, (transition, response.content)
    events = as_("clerk").get(f"/cases/{case_id}/events").json()
    assert [e["action"] for e in events] == ["register"] + [t for _, t, _ in steps]
    assert [e["to_status"] for e in events][-1] == Status.CLOSED
    assert events[1]["actor"] == "clerk（受理员）" and events[0]["actor"] == "信访人"
    public = Client().get(f"/api/v1/public/cases/{code}").json()
    assert public["status"] == Status.CLOSED and public["can_appeal"] is True
    assert "13955556666" not in json.dumps(public)
    from fengqiao.core.audit import audit_verify

    assert audit_verify().ok
