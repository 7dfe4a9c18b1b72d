"""Two people acting on the same case at once: one wins, the other gets 409 with the reason."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from fengqiao.cases import services
from fengqiao.org.models import Role, Staff
from fengqiao.org.services import token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real parallel connections need PostgreSQL"),
]


def _race(calls):
    """Run the callables at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def dispatched(world):
    case, _ = services.case_register(title="楼道堆放杂物", content="楼道长期堆放杂物，存在消防隐患。", channel="online", region=world.town, actor=None)
    services.case_accept(case=case, actor=world.clerk)
    services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing)
    second = Staff.objects.create_user(username="handler2", password="x-123456789", role=Role.HANDLER, region=world.county, department=world.housing)
    return case, world.handler, second


def test_two_handlers_claiming_at_once_one_wins_one_gets_409(dispatched):
    assert connection.vendor == "postgresql"
    case, first, second = dispatched
    tokens = [token_create(staff=first), token_create(staff=second)]

    def claim(token):
        return lambda: Client().post(f"/api/v1/cases/{case.pk}/claim", {}, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {token}")

    responses = _race([claim(t) for t in tokens])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert "办理中" in loser.json()["detail"]
    case.refresh_from_db()
    assert case.assignee_id in (first.pk, second.pk)
    assert case.events.filter(action="claim").count() == 1


def test_reply_and_return_at_once_leave_one_consistent_outcome(dispatched):
    case, handler, _ = dispatched
    services.case_claim(case=case, actor=handler)
    results = _race([
        lambda: services.case_reply(case=case, actor=handler, content="已协调物业清理楼道杂物。"),
        lambda: services.case_return(case=case, actor=handler, reason="不属于本单位职责"),
    ])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and getattr(errors[0], "status_code", None) == 409
    case.refresh_from_db()
    assert case.status in ("replied", "returned")
    assert case.events.filter(action__in=["reply", "return"]).count() == 1
