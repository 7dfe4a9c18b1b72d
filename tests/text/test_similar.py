from datetime import datetime

import pytest

from fengqiao.text.similar import SimilarIndex, repeat_flags, text_similarity, rescore

CASES = [
    (1, "柳溪湾小区旁边新建的沥青搅拌站噪音和粉尘很大，居民晚上无法休息", "430105001", datetime(2023, 3, 1), "u1"),
    (2, "投诉柳溪湾小区附近沥青搅拌站粉尘噪音扰民，晚上吵得睡不着", "430105002", datetime(2023, 4, 2), "u2"),
    (3, "请问住房公积金贷款最高能贷多少，需要什么材料", "430102001", datetime(2023, 4, 3), "u3"),
    (4, "青石板巷路灯坏了两个月没人修，晚上出行很不安全", "430111003", datetime(2023, 5, 9), "u4"),
    (5, "柳溪湾小区旁沥青搅拌站噪音粉尘污染严重，要求搬迁", "430211001", datetime(2023, 2, 1), "u5"),
]
PROBE = "柳溪湾小区附近的沥青搅拌站噪音粉尘扰民严重"


@pytest.fixture()
def index():
    return SimilarIndex.build(CASES)


def test_finds_near_duplicates_not_unrelated(index):
    hits = dict(index.query(PROBE, k=10))
    assert {1, 2, 5} <= set(hits)
    assert 3 not in hits and 4 not in hits
    assert all(0 < s <= 1 for s in hits.values())


def test_ranked_best_first_and_k(index):
    res = index.query(PROBE, k=2)
    assert len(res) == 2
    assert res[0][1] >= res[1][1]


def test_region_prefix_and_time_window(index):
    assert {c for c, _ in index.query(PROBE, region_prefix="430105")} == {1, 2}
    assert {c for c, _ in index.query(PROBE, since=datetime(2023, 3, 15))} == {2}
    assert {c for c, _ in index.query(PROBE, since=datetime(2023, 1, 1), until=datetime(2023, 2, 28))} == {5}


# Hand-written matters, each wrapped in the same opening and closing, as
# hotline transcripts often are.
MATTERS = [
    "楼下烧烤店油烟很大", "小区电梯经常困人", "公交车班次太少", "学校门口交通拥堵", "菜市场占道经营",
    "路灯坏了没人修", "工地夜间打桩噪音", "物业乱收停车费", "河道里有人倾倒垃圾", "自来水发黄有异味",
    "养猪场臭气熏天", "单位拖欠三个月工资", "幼儿园乱收费", "广场舞音响太吵", "共享单车堵住人行道",
    "下水道堵塞污水横流", "小区绿地被改成停车场", "出租车拒载绕路", "药店卖过期药品", "网吧接纳未成年人",
]
OPENING, CLOSING = "来电人反映：我们是锦绣家园的住户，", "。打过好几次电话，都说不归他们管，互相推诿。恳请有关部门尽快调查处理。"


def test_shared_boilerplate_does_not_make_cases_similar():
    idx = SimilarIndex.build([(i, OPENING + m + CLOSING, "4301", datetime(2023, 1, 1 + i), None)
                              for i, m in enumerate(MATTERS)])
    # a new matter in the same wording finds nothing ...
    assert idx.query(OPENING + "楼道里堆满杂物存在消防隐患" + CLOSING, min_score=0.35) == []
    # ... while the same matter raised again in the same wording is still found
    hits = idx.query(OPENING + "楼下那家烧烤店的油烟很大" + CLOSING, min_score=0.35)
    assert hits and hits[0][0] == 0


def test_remove_add_clear(index):
    assert index.remove(2)
    assert 2 not in dict(index.query(PROBE))
    index.add(6, "柳溪湾小区沥青搅拌站噪音粉尘扰民", "430105009", datetime(2023, 6, 1))
    assert 6 in dict(index.query(PROBE))
    assert len(index) == 5
    index.clear()
    assert index.query(PROBE) == [] and len(index) == 0


def test_save_load_roundtrip(index, tmp_path):
    p = tmp_path / "similar.npz"
    index.save(p)
    again = SimilarIndex.load(p)
    assert again.query(PROBE, k=5) == index.query(PROBE, k=5)
    assert again.petitioner_of(1) == "u1"


def test_load_garbage_raises(tmp_path):
    p = tmp_path / "bad.npz"
    p.write_bytes(b"not an index")
    with pytest.raises(ValueError, match="相似案件索引"):
        SimilarIndex.load(p)


def test_text_similarity_orders_sensibly():
    a = "青石板巷路灯坏了两个月没人修"
    assert text_similarity(a, "青石板巷的路灯坏了两个月了，一直没人修") > 0.5
    assert text_similarity(a, "请问住房公积金贷款最高能贷多少") < 0.1


EARLIER_TOWN = [("c1", "青石板巷路灯坏了两个月没人修", "430111003", datetime(2023, 5, 9), "街道")]
EARLIER_COUNTY = [("c1", "青石板巷路灯坏了两个月没人修", "430111003", datetime(2023, 5, 9), "县")]
NEW = "青石板巷路灯坏了三个月还没有人修，上次反映后没有结果"


def test_repeat_petition_flagged():
    f = repeat_flags(NEW, EARLIER_TOWN, level="县")
    assert f.repeat and f.similar_case_ids == ["c1"]
    assert not f.skip_level
    assert any("重复信访" in r for r in f.reasons)


def test_skip_level_when_nothing_at_town_level():
    f = repeat_flags(NEW, [], level="county")
    assert not f.repeat and f.skip_level
    f = repeat_flags(NEW, EARLIER_COUNTY, level="市")
    assert f.repeat and f.skip_level
    assert any("越级" in r for r in f.reasons)


def test_town_level_case_is_never_skip_level():
    f = repeat_flags(NEW, [], level="乡镇")
    assert not f.repeat and not f.skip_level


def test_unrelated_earlier_case_is_not_repeat():
    other = [("c9", "请问住房公积金贷款最高能贷多少", "430102001", datetime(2023, 1, 1), "街道")]
    f = repeat_flags(NEW, other, level="县")
    assert not f.repeat and f.skip_level


def test_shown_similarity_is_exact_so_a_letter_about_another_village_is_not_100_percent():
    letter = "本人家住石门镇{}，村里的灌溉渠道多年没有清淤，有几段已经垮塌，今年插秧时水放不下来，希望政府重视。"
    mine = letter.format("石门村")
    idx = SimilarIndex()
    idx.add(1, letter.format("高坪村"))
    idx.add(2, mine)
    idx.add(3, "小区门口的垃圾站臭气熏天，夏天蚊蝇成群，请环卫部门尽快处理。")
    hits = idx.query(mine, min_score=0.0)
    texts = {1: letter.format("高坪村"), 2: mine, 3: "小区门口的垃圾站臭气熏天，夏天蚊蝇成群，请环卫部门尽快处理。"}
    shown = rescore(mine, ((cid, texts[cid]) for cid, _ in hits), 0.35)
    assert shown[0] == (2, 1.0)
    assert shown[1][0] == 1 and 0.8 < shown[1][1] < 1.0
    assert 3 not in dict(shown)
