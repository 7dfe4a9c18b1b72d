from fengqiao.cases import services
from fengqiao.cases.states import Status


def test_loop(world):
    case, created = services.case_register(title="小区电梯坏了", content="电梯停运一周无人修理", channel="online", region=world.county, actor=None,
        petitioner=services.PetitionerData(name="王小明", phone="13812348000", id_number="11010519491231002X"))
    services.case_accept(case=case, actor=world.clerk)
    services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing)
    services.case_claim(case=case, actor=world.handler)
    services.case_reply(case=case, actor=world.handler, content="已联系物业，电梯已修复")
    services.case_evaluate(case=case, actor=None, rating="satisfied")
    case = services.case_close(case=case, actor=world.clerk)
    assert case.status == Status.CLOSED
    from fengqiao.core.audit import audit_verify
    assert audit_verify().ok
