"""Drive a fresh case to any status through the services, as the people of tests.world would."""

import pytest
from django.db import transaction

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.cases.states import Rating, Status
from tests.world import build_world

# Fictional petitioner data; the ID number is the checksum-valid sample from GB 11643.
PERSON = services.PetitionerData(name="王小明", phone="13812348000", id_number="11010519491231002X", address="柳塘村3组")

# The handler who claims and replies for each department of the world.
HANDLER_OF = {"青溪县住房和城乡建设局": "handler", "临溪镇人民政府": "town_handler", "石门镇人民政府": "other_handler"}


def case_new(world, *, region=None, channel="online", title="小区电梯停运", petitioner=PERSON, **kwargs) -> Case:
    case, created = services.case_register(
        title=title, content="小区3号楼电梯已停运一周，物业无人修理，老人上下楼困难。", channel=channel,
        region=region or world.county, actor=None, petitioner=petitioner, **kwargs,
    )
    assert created
    return case


def handler_for(world, department):
    return world.staff[HANDLER_OF[department.name]]


def drive_to(world, status: str, *, department=None, case: Case | None = None, **new_kwargs) -> Case:
    """Return a new case (or `case`, when it is freshly registered) brought to `status` by the services."""
    department = department or world.housing
    case = case or case_new(world, **new_kwargs)
    if status == Status.REGISTERED:
        return case
    if status == Status.REJECTED:
        return services.case_reject(case=case, actor=world.clerk, reason="不属于信访事项受理范围")
    case = services.case_accept(case=case, actor=world.clerk)
    if status == Status.ACCEPTED:
        return case
    case = services.case_dispatch(case=case, actor=world.dispatcher, department=department)
    if status == Status.DISPATCHED:
        return case
    handler = handler_for(world, department)
    if status == Status.RETURNED:
        return services.case_return(case=case, actor=handler, reason="不属于本单位职责")
    case = services.case_claim(case=case, actor=handler)
    if status == Status.IN_PROGRESS:
        return case
    case = services.case_reply(case=case, actor=handler, content="已约谈物业公司，电梯已于本周修复并通过检验。")
    if status == Status.REPLIED:
        return case
    if status == Status.EVALUATED:
        return services.case_evaluate(case=case, actor=None, rating=Rating.SATISFIED)
    if status == Status.CLOSED:
        return services.case_close(case=case, actor=world.clerk)
    raise ValueError(status)


def shared_world_fixture(departments=("housing",)):
    """Return a module-scoped fixture: one world and one case per (status, department), built once.

    The module's tests each run in a savepoint inside this transaction (pytest-django's `db`), so
    whatever a test changes is undone after it and the next test starts from the same cases.
    Tests of a module using it must take `world` from it too (region codes are unique).
    """

    @pytest.fixture(scope="module")
    def shared(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_world()
            cases = {
                (status, name): drive_to(world, status, department=getattr(world, name))
                for status in Status.values
                for name in departments
            }
            yield world, {key: case.pk for key, case in cases.items()}
            transaction.set_rollback(True)

    return shared
