"""Personal data is unreadable in the database file and revealed only deliberately, with an audit entry."""

import httpx
import pytest

from fengqiao.cases import services
from fengqiao.core.errors import NotPermitted
from fengqiao.core.models import AuditEntry
from tests.trust.live import LiveServer

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


def test_raw_database_file_holds_no_id_number_or_phone(tmp_path):
    server = LiveServer(tmp_path / "data")
    if server.pg_name:
        server.close()
        pytest.skip("the raw-file check reads the SQLite file; PostgreSQL columns are checked in tests/cases")
    try:
        server.setup_world()
        server.start()
        r = httpx.post(f"{server.url}/api/v1/public/cases", json={
            "title": "噪音扰民", "content": "夜间施工噪音很大，影响休息。", "name": "赵六", "phone": PHONE,
            "id_number": ID_NUMBER, "address": "临溪镇柳塘村8组",
        })
        assert r.status_code == 201
        public = httpx.get(f"{server.url}/api/v1/public/cases/{r.json()['query_code']}").text
        assert PHONE not in public and ID_NUMBER not in public
    finally:
        server.kill()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("fengqiao.sqlite3*"))
    assert b"code" in raw  # the file is really the database
    for secret in (ID_NUMBER, PHONE, "赵六", "柳塘村8组"):
        assert secret.encode() not in raw, secret
    server.close()


def test_revealing_personal_data_needs_a_reason_and_is_audited(world):
    case, _ = services.case_register(
        title="工资被拖欠", content="工地拖欠三个月工资。", channel="visit", region=world.town, actor=world.clerk,
        petitioner=services.PetitionerData(name="钱七", phone=PHONE, id_number=ID_NUMBER),
    )
    clear = services.case_reveal_petitioner(case=case, actor=world.clerk, reason="电话回访核实情况")
    assert clear["phone"] == PHONE and clear["id_number"] == ID_NUMBER
    entry = AuditEntry.objects.filter(action="petitioner.reveal").get()
    assert entry.actor_id == world.clerk.pk and entry.data["reason"] == "电话回访核实情况"


def test_staff_outside_the_jurisdiction_cannot_reveal(world):
    case, _ = services.case_register(
        title="工资被拖欠", content="工地拖欠三个月工资。", channel="visit", region=world.town, actor=world.clerk,
        petitioner=services.PetitionerData(name="钱七", phone=PHONE),
    )
    with pytest.raises(NotPermitted):
        services.case_reveal_petitioner(case=case, actor=world.other_clerk, reason="想看看")
    assert not AuditEntry.objects.filter(action="petitioner.reveal").exists()
