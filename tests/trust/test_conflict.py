"""A complaint about a unit is never routed to that unit nor visible to it (信访工作条例)."""

import pytest

from fengqiao.cases import selectors, services
from fengqiao.core.errors import NotPermitted
from fengqiao.org.services import token_create
from tests.world import PASSWORD


@pytest.fixture
def complaint(world):
    case, _ = services.case_register(
        title="反映县住建局工作人员推诿", content="多次到住建局办事被推诿，要求调查处理。", channel="visit",
        region=world.town, actor=world.clerk,
    )
    services.case_accept(case=case, actor=world.clerk, accused_department=world.housing)
    return case


def test_dispatching_to_the_accused_unit_is_refused_with_the_reason(world, complaint):
    with pytest.raises(NotPermitted) as info:
        services.case_dispatch(case=complaint, actor=world.dispatcher, department=world.housing)
    assert "不得交由其办理" in info.value.message
    complaint.refresh_from_db()
    assert complaint.status == "accepted" and complaint.lead_department is None


def test_the_accused_unit_cannot_be_a_co_handler_either(world, complaint):
    with pytest.raises(NotPermitted):
        services.case_dispatch(case=complaint, actor=world.dispatcher, department=world.town_gov, co_departments=[world.housing])


def test_staff_of_the_accused_unit_never_see_the_case_even_when_it_names_them(world, complaint):
    services.case_dispatch(case=complaint, actor=world.dispatcher, department=world.town_gov)
    assert complaint in selectors.case_list(staff=world.town_handler)
    assert complaint not in selectors.case_list(staff=world.handler)


def test_a_named_official_does_not_see_the_case_whatever_the_role(world):
    case, _ = services.case_register(
        title="反映信访局某干部态度恶劣", content="接待时态度恶劣，请求处理。", channel="letter", region=world.town,
        actor=world.clerk, accused_staff=world.leader,
    )
    assert case not in selectors.case_list(staff=world.leader)
    assert case in selectors.case_list(staff=world.dispatcher)
    services.case_accept(case=case, actor=world.clerk)
    with pytest.raises(NotPermitted):  # the official's own unit is the petition bureau
        services.case_dispatch(case=case, actor=world.dispatcher, department=world.petition_bureau)


def test_the_dispatcher_sees_why_on_the_case_page_and_through_the_api(client, world, complaint):
    client.login(username="dispatcher", password=PASSWORD)
    page = client.get(f"/staff/cases/{complaint.pk}").content.decode()
    assert "不得交由该单位办理" in page
    refused = client.post(f"/staff/cases/{complaint.pk}/dispatch", {"department": world.housing.pk})
    assert "不得交由其办理" in refused.content.decode()
    token = token_create(staff=world.dispatcher)
    r = client.post(f"/api/v1/cases/{complaint.pk}/dispatch", {"department_id": world.housing.pk},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 403 and r.json()["code"] == "conflict_of_interest"
    handler_token = token_create(staff=world.handler)
    assert client.get(f"/api/v1/cases/{complaint.pk}", HTTP_AUTHORIZATION=f"Bearer {handler_token}").status_code == 404
