import pytest
from django.core.management import call_command

from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent, Petitioner
from fengqiao.core.audit import audit_verify
from fengqiao.core.backup import backup_restore, backup_write
from fengqiao.core.errors import ValidationFailed


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_back_every_case(tmp_path):
    from tests.world import build_world

    world = build_world()
    for i in range(5):
        case, _ = services.case_register(
            title=f"排水沟堵塞{i}", content="雨后积水进屋，请尽快疏通。", channel="hotline", region=world.town, actor=world.clerk,
            petitioner=services.PetitionerData(name="李四", phone=f"1391234567{i}"),
        )
        services.case_accept(case=case, actor=world.clerk)
    before = {c.number: (c.status, c.petitioner.phone) for c in Case.objects.select_related("petitioner")}
    events = CaseEvent.objects.count()
    path = tmp_path / "backup.json.gz"
    assert backup_write(path) > 0

    call_command("flush", interactive=False, verbosity=0)
    assert not Case.objects.exists()
    backup_restore(path)

    after = {c.number: (c.status, c.petitioner.phone) for c in Case.objects.select_related("petitioner")}
    assert after == before
    assert CaseEvent.objects.count() == events
    assert Petitioner.objects.count() == 5
    assert audit_verify().ok
    # a case registered after the restore gets a fresh number, not a clash
    new, _ = services.case_register(title="新的诉求", content="恢复后继续受理新的事项。", channel="online", region=world.town, actor=None)
    assert new.number not in before


def test_restore_refuses_a_database_that_already_has_data(world, tmp_path):
    path = tmp_path / "backup.json.gz"
    backup_write(path)
    with pytest.raises(ValidationFailed) as info:
        backup_restore(path)
    assert "不是空的" in info.value.message
