"""Jurisdiction scoping holds on every list, detail, export and API call, for every member of staff."""

import io

import openpyxl
import pytest

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.cases.permissions import case_scope
from fengqiao.org.services import token_create
from tests.world import PASSWORD

STAFF = ["clerk", "dispatcher", "handler", "town_handler", "other_handler", "mediator", "grid_worker", "leader",
         "supervisor", "admin", "other_clerk"]


@pytest.fixture
def cases(world):
    made = []
    for region, title in [(world.town, "临溪镇路灯不亮"), (world.other_town, "石门镇垃圾清运不及时"), (world.village, "柳塘村水渠堵塞")]:
        case, _ = services.case_register(title=title, content=f"{title}，请尽快处理。", channel="hotline", region=region, actor=world.admin)
        services.case_accept(case=case, actor=world.admin)
        made.append(case)
    services.case_dispatch(case=made[0], actor=world.admin, department=world.housing)
    services.case_dispatch(case=made[1], actor=world.admin, department=world.other_town_gov)
    services.case_dispatch(case=made[2], actor=world.admin, department=world.town_gov, co_departments=[world.housing])
    return made


@pytest.mark.parametrize("username", STAFF)
def test_every_view_of_cases_shows_exactly_the_staff_members_jurisdiction(client, world, cases, username):
    staff = world.staff[username]
    expected = set(case_scope(Case.objects.all(), staff).values_list("number", flat=True))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(staff=staff)}"}

    api_list = client.get("/api/v1/cases", {"page_size": 200}, **auth).json()
    assert {c["number"] for c in api_list["results"]} == expected

    client.login(username=username, password=PASSWORD)
    queue = client.get("/staff/", {"status": "all"}).content.decode()
    export = openpyxl.load_workbook(io.BytesIO(client.get("/staff/export.xlsx", {"status": "all"}).content))
    exported = {row[0] for row in export.active.iter_rows(min_row=2, values_only=True) if row[0]}
    assert exported == expected
    for case in cases:
        visible = case.number in expected
        assert (case.number in queue) == visible
        assert (client.get(f"/api/v1/cases/{case.pk}", **auth).status_code == 200) == visible
        assert (client.get(f"/api/v1/cases/{case.pk}/events", **auth).status_code == 200) == visible
        assert (client.get(f"/staff/cases/{case.pk}").status_code == 200) == visible


def test_the_matrix_is_not_trivial(world, cases):
    """Each kind of staff sees a different, non-empty share: town staff do not see the other town."""
    seen = {u: set(case_scope(Case.objects.all(), world.staff[u]).values_list("pk", flat=True)) for u in STAFF}
    assert seen["admin"] == {c.pk for c in cases}
    assert cases[1].pk not in seen["mediator"] and cases[1].pk in seen["other_handler"]
    assert seen["handler"] == {cases[0].pk, cases[2].pk}  # lead of one, co-handler of the other
    assert seen["other_clerk"] == {cases[1].pk}
