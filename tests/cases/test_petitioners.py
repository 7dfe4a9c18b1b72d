"""Petitioners: ID and phone validation, finding a person again, encryption at rest and masking."""

import re

import pytest
from django.db import connection

from fengqiao.cases import selectors, services
from fengqiao.cases.models import Petitioner
from fengqiao.core.errors import NotPermitted, ValidationFailed
from tests.cases.drive import case_new

CJK = re.compile(r"[\u4e00-\u9fff]")
ID_A = "11010519491231002X"
ID_B = "440304199001011233"
PHONE_A = "13812348000"
PHONE_B = "15990001234"


def _person(**kwargs):
    return services.PetitionerData(**{"name": "李秀英", **kwargs})


@pytest.mark.parametrize("number", [ID_A, ID_A.lower(), ID_B, "330106198511205670", " 420111199206150017 "])
def test_valid_id_numbers_accepted(number):
    assert services.petitioner_validate(_person(id_number=number)).id_number == number.strip().upper()


@pytest.mark.parametrize("number", [
    "110105194912310021",  # wrong check digit
    "440304199013011230",  # month 13 (check digit right)
    "4403041990010112",  # too short
    "44030419900101123X5",  # too long
    "ABCDEFGHIJKLMNOPQR",
])
def test_invalid_id_numbers_refused_in_chinese(number):
    with pytest.raises(ValidationFailed) as info:
        services.petitioner_validate(_person(id_number=number))
    assert "身份证" in info.value.message and info.value.code == "invalid_id_number"


@pytest.mark.parametrize("phone", [PHONE_A, "0571-88889999", "057188889999", "010-12345678", "138 1234 8000"])
def test_valid_phones_accepted(phone):
    assert services.petitioner_validate(_person(phone=phone)).phone == phone.replace(" ", "")


@pytest.mark.parametrize("phone", ["12812348000", "1381234800", "138123480001", "电话13812348000", "abc"])
def test_invalid_phones_refused_in_chinese(phone):
    with pytest.raises(ValidationFailed) as info:
        services.petitioner_validate(_person(phone=phone))
    assert "电话" in info.value.message and CJK.search(info.value.message)


def test_invalid_id_number_registers_nothing(world):
    from fengqiao.cases.models import Case

    with pytest.raises(ValidationFailed):
        case_new(world, petitioner=_person(id_number="110105194912310021"))
    assert not Case.objects.exists() and not Petitioner.objects.exists()


def test_petitioner_found_again_by_id_or_phone_across_channels(world):
    first = case_new(world, channel="hotline", petitioner=_person(id_number=ID_A, phone=PHONE_A))
    by_id = case_new(world, channel="visit", petitioner=_person(name="李秀英", id_number=ID_A.lower()))
    by_phone = case_new(world, channel="letter", petitioner=_person(name="", phone=PHONE_A))
    stranger = case_new(world, channel="online", petitioner=_person(name="赵四", id_number=ID_B, phone=PHONE_B))
    assert first.petitioner_id == by_id.petitioner_id == by_phone.petitioner_id != stranger.petitioner_id
    assert Petitioner.objects.count() == 2

    found_by_id = selectors.petitioner_cases(staff=world.clerk, id_number=ID_A)
    found_by_phone = selectors.petitioner_cases(staff=world.clerk, phone=PHONE_A, exclude_case_id=by_phone.pk)
    assert set(found_by_id) == {first, by_id, by_phone}
    assert {c.channel for c in found_by_id} == {"hotline", "visit", "letter"}
    assert set(found_by_phone) == {first, by_id}
    assert not selectors.petitioner_cases(staff=world.clerk, phone="13900000000").exists()
    assert not selectors.petitioner_cases(staff=world.clerk).exists()


def test_petitioner_history_respects_jurisdiction(world):
    case_new(world, region=world.town, petitioner=_person(id_number=ID_A))
    mine = case_new(world, region=world.other_town, petitioner=_person(id_number=ID_A))
    assert list(selectors.petitioner_cases(staff=world.other_clerk, id_number=ID_A)) == [mine]
    assert selectors.petitioner_cases(staff=world.clerk, id_number=ID_A).count() == 2


def test_household_phone_does_not_merge_two_people(world):
    father = case_new(world, petitioner=_person(name="周大山", id_number=ID_A, phone=PHONE_A))
    daughter = case_new(world, petitioner=_person(name="周小雨", id_number=ID_B, phone=PHONE_A))
    assert father.petitioner_id != daughter.petitioner_id
    father.petitioner.refresh_from_db()
    assert father.petitioner.id_number == ID_A and father.petitioner.name == "周大山"
    assert daughter.petitioner.id_number == ID_B


def test_later_details_fill_in_what_was_missing(world):
    first = case_new(world, petitioner=_person(name="", phone=PHONE_A))
    second = case_new(world, petitioner=_person(name="李秀英", phone=PHONE_A, id_number=ID_A, address="柳塘村5组"))
    person = Petitioner.objects.get()
    assert first.petitioner_id == second.petitioner_id == person.pk
    assert (person.name, person.id_number, person.address) == ("李秀英", ID_A, "柳塘村5组")


def test_personal_data_is_not_stored_in_clear(world):
    case_new(world, petitioner=services.PetitionerData(
        name="欧阳明月", id_number=ID_A, phone=PHONE_A, address="临溪镇柳塘村桂花巷17号"))
    secrets_ = [ID_A, PHONE_A, "欧阳明月", "桂花巷17号", ID_A[6:14]]
    for table in ("cases_petitioner", "cases_case", "cases_caseevent", "core_auditentry"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows = cursor.fetchall()
        assert rows, table
        for row in rows:
            for value in row:
                for secret in secrets_:
                    assert secret not in str(value), (table, secret)
    person = Petitioner.objects.get()
    assert (person.name, person.id_number, person.phone) == ("欧阳明月", ID_A, PHONE_A)


def test_masked_forms(world):
    case = case_new(world, petitioner=_person(name="王小明", id_number=ID_A, phone=PHONE_A))
    p = case.petitioner
    assert p.name_masked == "王**"
    assert p.phone_masked == "138****8000"
    assert p.id_number_masked == "110***********002X"
    assert str(p) == "王**"


def test_reveal_is_audited_and_limited(world):
    from fengqiao.core.models import AuditEntry

    case = case_new(world, petitioner=_person(name="王小明", id_number=ID_A, phone=PHONE_A))
    shown = services.case_reveal_petitioner(case=case, actor=world.clerk, reason="电话回访核实身份")
    assert shown["id_number"] == ID_A and shown["phone"] == PHONE_A
    entry = AuditEntry.objects.filter(action="petitioner.reveal").get()
    assert entry.actor == world.clerk and entry.data["reason"] == "电话回访核实身份"
    for who in ("grid_worker", "other_clerk", "supervisor"):
        with pytest.raises(NotPermitted):
            services.case_reveal_petitioner(case=case, actor=world.staff[who], reason="想看看")
    with pytest.raises(ValidationFailed):
        services.case_reveal_petitioner(case=case, actor=world.clerk, reason=" ")
    assert AuditEntry.objects.filter(action="petitioner.reveal").count() == 1
