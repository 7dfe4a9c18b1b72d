from datetime import date

import pytest

from fengqiao.text.risk import assess_risk


@pytest.mark.parametrize("text", [
    "再不解决我就去楼顶跳楼", "实在没办法只能喝农药以死相逼", "逼急了就和他们同归于尽",
])
def test_extreme_threats_are_red(text):
    r = assess_risk(text)
    assert r.level == "red"
    assert any("极端" in x for x in r.reasons)


def test_negated_threat_is_not_flagged():
    assert assess_risk("我不会跳楼的，只是希望尽快解决路灯问题").level is None


def test_collective_action_and_beijing():
    r = assess_risk("我们村上百人准备拉横幅去北京上访")
    assert r.level == "red"
    assert any("集体" in x for x in r.reasons) and any("进京" in x for x in r.reasons)
    assert assess_risk("业主们准备联名反映").level == "orange"


def test_wage_arrears_before_spring_festival_escalates():
    text = "包工头拖欠我们农民工工资半年了"
    near = assess_risk(text, now=date(2024, 1, 25))
    far = assess_risk(text, now=date(2024, 6, 1))
    assert near.score > far.score
    assert any("春节" in x for x in near.reasons)
    assert near.level in ("orange", "red") and far.level == "blue"


def test_history_and_group_size_raise_level():
    base = assess_risk("小区路灯不亮")
    assert base.level is None and base.score == 0
    r = assess_risk("小区路灯不亮", repeat_count=3, dissatisfied_count=2)
    assert r.level == "orange"
    r = assess_risk("小区路灯不亮", repeat_count=3, dissatisfied_count=2, escalation_count=1)
    assert r.level == "red" and any("提级" in x for x in r.reasons)
    assert assess_risk("小区路灯不亮", group_size=60).level == "orange"
    assert any("60人" in x for x in assess_risk("小区路灯不亮", group_size=60).reasons)


def test_media_threat_is_yellow():
    r = assess_risk("不解决我就找媒体曝光")
    assert r.level == "yellow"
