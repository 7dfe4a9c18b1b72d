"""The 研判 pages as staff use them."""

import pytest
from django.utils import timezone

from fengqiao.analysis.services import insight_compute
from fengqiao.cases import services
from fengqiao.org.models import Staff
from tests.analysis.test_analysis import taxonomy  # noqa: F401  (fixture)
from tests.world import PASSWORD


@pytest.fixture
def dispatcher_client(client, world):
    client.login(username="dispatcher", password=PASSWORD)
    return client


def _register(world, title, content, phone=None, region=None):
    petitioner = services.PetitionerData(phone=phone) if phone else None
    case, _ = services.case_register(title=title, content=content, channel="hotline", region=region or world.town,
                                     actor=world.clerk, petitioner=petitioner)
    return case


def test_case_page_shows_category_suggestions_with_reasons_and_prefills_dispatch(dispatcher_client, world, taxonomy):  # noqa: F811
    case = _register(world, "老板拖欠工资", "在工地干活，老板拖欠工资三个月不发。")
    services.case_accept(case=case, actor=world.clerk)
    html = dispatcher_client.get(f"/staff/cases/{case.pk}").content.decode()
    assert "智能分类建议" in html and "劳动和社会保障" in html
    assert "<mark>" in html  # the words that weighed most
    assert f'value="{world.town_gov.pk}" selected' in html  # department from the responsibility list


def test_intake_warns_of_similar_recent_cases_in_the_same_place(dispatcher_client, world, taxonomy):  # noqa: F811
    earlier = _register(world, "柳塘村自来水发黄", "柳塘村自来水这几天发黄有异味，不敢饮用。")
    insight_compute(case=earlier)
    html = dispatcher_client.get("/staff/intake/similar", {
        "title": "自来水发黄", "content": "柳塘村的自来水发黄有异味", "region": world.town.pk}).content.decode()
    assert earlier.number in html and "相似诉求" in html


def test_warnings_page_lists_red_cases_and_the_leader_on_duty_is_told(client, world, taxonomy):  # noqa: F811
    Staff.objects.filter(pk=world.leader.pk).update(on_duty=True)
    case = _register(world, "不解决就去北京上访", "拖欠工资半年，再不解决我们几十个人就集体去北京上访，还要跳楼。")
    insight_compute(case=case)
    client.login(username="leader", password=PASSWORD)
    html = client.get("/staff/warnings").content.decode()
    assert case.number in html and "红色预警" in html
    assert "给我的提醒" in html
    assert 'class="count-badge">1<' in client.get("/staff/").content.decode()
    client.post("/staff/notifications/read")
    assert "给我的提醒" not in client.get("/staff/warnings").content.decode()


def test_problem_list_groups_a_recurring_problem_of_the_month(dispatcher_client, world, taxonomy):  # noqa: F811
    for i in range(4):
        _register(world, f"临溪镇搅拌站粉尘噪音扰民{i}", "临溪镇搅拌站日夜生产，粉尘和噪音严重影响周边居民生活。",
                  phone=f"1390000000{i}")
    _register(world, "路灯不亮", "村口路灯坏了。")
    month = timezone.localdate().strftime("%Y-%m")
    html = dispatcher_client.get("/staff/topics", {"month": month}).content.decode()
    assert "问题清单" in html and "搅拌站" in html
    assert "4 件" in html and "4 人反映" in html


def test_a_bad_month_falls_back_to_this_month(dispatcher_client, world, taxonomy):  # noqa: F811
    response = dispatcher_client.get("/staff/topics", {"month": "2026-13"})
    assert response.status_code == 200
    assert f"{timezone.localdate().year}年{timezone.localdate().month}月" in response.content.decode()


def test_the_api_gives_the_insight_and_the_problem_list(client, world, taxonomy):  # noqa: F811
    from fengqiao.org.services import token_create

    case = _register(world, "老板拖欠工资", "在工地干活，老板拖欠工资三个月不发。")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(staff=world.dispatcher)}"}
    insight = client.get(f"/api/v1/cases/{case.pk}/insight", **auth).json()
    assert insight["suggestions"][0]["path"].startswith("劳动和社会保障")
    assert insight["suggestions"][0]["reasons"]
    topics = client.get("/api/v1/topics", {"month": timezone.localdate().strftime("%Y-%m")}, **auth)
    assert topics.status_code == 200 and isinstance(topics.json(), list)
    assert client.get(f"/api/v1/cases/{case.pk}/insight").status_code == 401
