"""Routing suggestions, learning from dispatchers, similar and repeat cases, risk warnings."""

import shutil

import pytest
from django.test import override_settings

from fengqiao.analysis import engine
from fengqiao.analysis.models import CaseInsight, RoutingLabel
from fengqiao.analysis.services import case_insight_get, insight_compute, routing_retrain, routing_suggest
from fengqiao.cases import services
from fengqiao.cases.models import Category
from fengqiao.notify.models import Notification
from fengqiao.org.models import ResponsibilityRule, Role, Staff

TAXONOMY = [
    ("城乡建设", "物业管理", "物业服务"), ("城乡建设", "物业管理", "电梯维修"), ("城乡建设", "住房保障", "公租房"),
    ("环境保护", "噪声污染", "施工噪声"), ("环境保护", "大气污染", "餐饮油烟"),
    ("劳动和社会保障", "劳动保障", "拖欠工资"), ("劳动和社会保障", "社会保险", "养老保险"),
    ("交通运输", "公共交通", "公交线路"), ("教育文体", "学前教育", "幼儿园"), ("卫生计生", "医疗服务", "医院管理"),
]


@pytest.fixture
def taxonomy(world):
    for path in TAXONOMY:
        parent = None
        for depth, name in enumerate(path, start=1):
            full = "/".join(path[:depth])
            parent, _ = Category.objects.get_or_create(path=full, defaults={"name": name, "depth": depth, "parent": parent})
    ResponsibilityRule.objects.get_or_create(category=Category.objects.get(path="劳动和社会保障"), region=world.county,
                                             defaults={"department": world.town_gov})
    shutil.rmtree(engine.model_dir(), ignore_errors=True)
    engine.routing_model_reset()
    yield
    engine.routing_model_reset()
    shutil.rmtree(engine.model_dir(), ignore_errors=True)


def _register(world, title, content, **kw):
    kw.setdefault("region", world.town)
    kw.setdefault("channel", "hotline")
    case, _ = services.case_register(title=title, content=content, actor=world.clerk, **kw)
    return case


def test_suggestions_name_three_categories_with_confidence_reasons_and_department(world, taxonomy):
    case = _register(world, "工地拖欠农民工工资", "在镇上工地干了半年，老板拖欠工资三个月不发，讨薪无门。")
    suggestions = routing_suggest(case=case)
    assert len(suggestions) == 3
    top = suggestions[0]
    assert top["path"].startswith("劳动和社会保障")
    assert 0 < top["confidence"] <= 1 and top["confidence"] >= suggestions[1]["confidence"]
    assert any("工资" in w for w in top["reasons"])
    assert top["department"] == world.town_gov.name  # from the responsibility list


def test_a_dispatcher_correction_changes_the_next_suggestion(world, taxonomy, django_capture_on_commit_callbacks):
    text = ("小区门口新开的烧烤店", "烧烤店每天晚上营业到凌晨，烟雾和气味飘进楼里，窗户都不敢开。")
    before = routing_suggest(case=_register(world, *text))
    target = Category.objects.get(path="城乡建设/物业管理/物业服务")
    assert before[0]["path"] != target.path
    confidence_before = next((s["confidence"] for s in before if s["path"] == target.path), 0.0)

    for i in range(3):
        case = _register(world, f"{text[0]}{i}", text[1])
        services.case_accept(case=case, actor=world.clerk)
        with django_capture_on_commit_callbacks(execute=True):
            services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing, category=target)
    assert RoutingLabel.objects.filter(category=target, confirmed=False).count() == 3

    after = routing_suggest(case=_register(world, *text))
    assert after[0]["path"] == target.path
    assert after[0]["confidence"] > confidence_before
    assert engine.model_dir().joinpath("current").exists()


def test_retrain_rebuilds_the_model_from_recorded_decisions(world, taxonomy, django_capture_on_commit_callbacks):
    target = Category.objects.get(path="交通运输/公共交通/公交线路")
    case = _register(world, "村里没有班车", "村民进城要走五公里才能坐上车，希望开通到村里的线路。")
    services.case_accept(case=case, actor=world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing, category=target)
    shutil.rmtree(engine.model_dir())
    engine.routing_model_reset()
    assert routing_retrain() == (1, 0)
    assert engine.model_dir().joinpath("current").exists()


def test_retrain_can_first_learn_the_wording_of_undecided_cases(world, taxonomy):
    for title, text in [("小区电梯坏了", "小区电梯坏了一周没人修，物业不管。"),
                        ("学校乱收费", "孩子所在学校要求交补课费，家长负担重。"),
                        ("噪音扰民", "隔壁工地夜间施工噪音很大，影响休息。")]:
        _register(world, title, text)
    before = engine._current_version() or 0
    decisions, adapted = routing_retrain(self_train=True)
    assert decisions == 0 and adapted >= 2  # the clear ones become first-level labels
    assert engine._current_version() > before
    assert routing_retrain() == (0, 0)  # not asked: nothing learned from undecided cases


def test_a_broken_model_file_never_blocks_intake(world, taxonomy):
    routing_suggest(case=_register(world, "电梯坏了", "小区电梯坏了一周没人修。"))
    for f in engine.model_dir().glob("routing-v*.json.gz"):
        f.write_bytes(b"not a model")
    engine.routing_model_reset()
    case = _register(world, "电梯又坏了", "小区电梯又坏了，老人上下楼困难。")
    assert case.status == "registered"
    assert routing_suggest(case=case)[0]["path"].startswith("城乡建设")  # rebuilt from the category table


def test_same_petitioner_same_matter_is_flagged_as_repeat_across_channels(world, taxonomy):
    person = services.PetitionerData(name="孙一", phone="13700001111")
    first = _register(world, "邻居违建挡住采光", "邻居加盖三层楼，挡住我家采光，多次协商无果。", petitioner=person, channel="visit")
    insight_compute(case=first)
    second = _register(world, "邻居违建挡住采光问题还没解决", "邻居加盖三层楼挡住我家采光，上次反映后仍无果。",
                       petitioner=services.PetitionerData(phone="13700001111"), channel="online")
    insight = insight_compute(case=second)
    assert insight.is_repeat and first.pk in insight.repeat_of
    assert any("重复信访" in r for r in insight.flag_reasons)


def test_a_village_matter_raised_at_the_county_with_nothing_at_town_before_is_skip_level(world, taxonomy):
    case = _register(world, "征地补偿款没有到位", "村里征地两年了补偿款一直没到位。", region=world.village,
                     channel="visit", petitioner=services.PetitionerData(phone="13700002222"))
    assert case_insight_get(case=case).is_skip_level


def test_raised_first_at_the_town_then_at_the_county_is_not_skip_level(world, taxonomy):
    person = services.PetitionerData(phone="13700003333")
    first, _ = services.case_register(title="征地补偿款没有到位", content="村里征地两年了补偿款一直没到位。",
                                      region=world.village, channel="visit", actor=world.mediator, petitioner=person)
    insight_compute(case=first)
    second = _register(world, "征地补偿款还是没有到位", "村里征地两年了补偿款一直没到位，镇里答复后仍未解决。",
                       region=world.village, channel="visit", petitioner=person)
    insight = insight_compute(case=second)
    assert insight.is_repeat and not insight.is_skip_level


def test_an_online_submission_is_never_skip_level(world, taxonomy):
    case, _ = services.case_register(title="征地补偿款没有到位", content="村里征地两年了补偿款一直没到位。",
                                     region=world.county, channel="online", actor=None)
    assert not case_insight_get(case=case).is_skip_level


def test_similar_cases_in_the_same_town_show_up(world, taxonomy):
    a = _register(world, "柳塘村自来水发黄", "柳塘村自来水这几天发黄有异味，不敢饮用。")
    insight_compute(case=a)
    b = _register(world, "柳塘村自来水浑浊发黄", "最近柳塘村的自来水浑浊发黄，有异味。")
    similar = insight_compute(case=b).similar
    assert similar and similar[0]["id"] == a.pk and similar[0]["number"] == a.number


def test_a_threat_of_self_harm_raises_a_red_warning_to_the_leader_on_duty(world, taxonomy):
    Staff.objects.filter(pk=world.leader.pk).update(on_duty=True)
    off_duty = Staff.objects.create_user(username="leader2", password="x-123456789", role=Role.LEADER, region=world.county)
    case = _register(world, "再不给工资就跳楼", "老板欠我们二十个工人工资半年，再不解决我就从楼上跳下去。")
    insight = insight_compute(case=case)
    assert insight.risk_level == "red"
    assert insight.risk_reasons
    note = Notification.objects.get(recipient=world.leader, case=case)
    assert "红色预警" in note.title
    assert not Notification.objects.filter(recipient=off_duty).exists()
    insight_compute(case=case)  # recomputing does not notify twice
    assert Notification.objects.filter(case=case).count() == 1


def test_an_ordinary_request_raises_no_red_warning(world, taxonomy):
    insight = insight_compute(case=_register(world, "路灯不亮", "村口路灯坏了，晚上走路不方便。"))
    assert insight.risk_level != "red"
    assert not Notification.objects.exists()


@override_settings(FENGQIAO_AUTO_DISPATCH={"enabled": True, "threshold": 0.3})
def test_auto_dispatch_sends_a_confident_case_to_the_responsible_unit(world, taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _register(world, "工地老板拖欠工资", "老板拖欠我们工人工资三个月，要求尽快发放工资。")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.status == "dispatched" and case.lead_department == world.town_gov
    assert case.events.get(action="dispatch").actor.username == "auto-dispatch"


def test_auto_dispatch_is_off_by_default(world, taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _register(world, "工地老板拖欠工资", "老板拖欠我们工人工资三个月，要求尽快发放工资。")
        services.case_accept(case=case, actor=world.clerk)
    case.refresh_from_db()
    assert case.status == "accepted"
    assert CaseInsight.objects.filter(case=case).exists()  # analysed at registration


def test_decisions_are_saved_as_a_new_model_version_every_few_labels(world, taxonomy, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(engine, "SAVE_EVERY_LABELS", 2)
    target = Category.objects.get(path="交通运输/公共交通/公交线路")
    routing_suggest(case=_register(world, "公交", "公交车太少。"))
    first = engine._current_version()
    versions = []
    for i in range(4):
        case = _register(world, f"村里没有班车{i}", "村民进城要走五公里才能坐上车，希望开通到村里的线路。")
        services.case_accept(case=case, actor=world.clerk)
        with django_capture_on_commit_callbacks(execute=True):
            services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing, category=target)
        versions.append(engine._current_version())
    assert versions == [first, first + 1, first + 1, first + 2]
    engine.routing_model_reset()  # another process loading from disk gets the learned model
    assert routing_suggest(case=_register(world, "村里没有班车", "希望开通到村里的公交线路。"))[0]["path"] == target.path


def test_a_deployment_can_set_its_own_first_level_prior(world, taxonomy):
    """A county whose hotline never handles wage matters pushes them down the list."""
    case = _register(world, "工地拖欠农民工工资", "在镇上工地干了半年，老板拖欠工资三个月不发，讨薪无门。")
    assert routing_suggest(case=case)[0]["path"].startswith("劳动和社会保障")
    with override_settings(FENGQIAO_ROUTING_PRIOR={"劳动和社会保障": -50.0}):
        engine.routing_model_reset()  # the saved model is reloaded with the deployment's prior
        assert not routing_suggest(case=case)[0]["path"].startswith("劳动和社会保障")
        shutil.rmtree(engine.model_dir())
        engine.routing_model_reset()  # and a model built afresh uses it too
        assert not routing_suggest(case=case)[0]["path"].startswith("劳动和社会保障")
