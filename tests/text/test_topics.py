import statistics
from collections import Counter
from datetime import datetime

import pytest

from conftest import data_file
from fengqiao.text.normalize import normalize
from fengqiao.text.topics import Doc, heat_score, hot_topics, problem_list


def _own_docs():
    # hand-written messages about two invented recurring problems + noise
    docs = []
    for i in range(6):
        docs.append(Doc(id=f"a{i}", title=f"柳溪湾小区旁沥青搅拌站噪音扰民{i}", text="柳溪湾小区旁边的沥青搅拌站日夜噪音粉尘，居民无法休息",
                        time=datetime(2023, 5, 1 + i), petitioner=f"u{i}", support=3))
    for i in range(3):
        docs.append(Doc(id=f"b{i}", title="青石板巷路灯不亮", text="青石板巷路灯坏了很久没人修，晚上出行不安全",
                        time=datetime(2023, 6, 1 + i), petitioner="same-person"))
    docs.append(Doc(id="c0", title="咨询公积金贷款额度", text="请问公积金贷款最高能贷多少", time=datetime(2023, 6, 5)))
    return docs


def test_groups_own_examples():
    topics = hot_topics(_own_docs(), top=5)
    assert set(topics[0].ids) == {f"a{i}" for i in range(6)}
    assert "柳溪湾小区" in topics[0].name or any("柳溪湾" in k for k in topics[0].keywords)
    second = next(t for t in topics if "b0" in t.ids)
    assert set(second.ids) == {"b0", "b1", "b2"} and second.petitioners == 1
    assert topics[0].heat > second.heat
    assert topics[0].start == datetime(2023, 5, 1) and topics[0].end == datetime(2023, 5, 6)


def test_a_shared_turn_of_phrase_does_not_name_the_problem():
    """Messages written from one template (as hotline transcripts often are)
    are not named by runs of the template's wording."""
    villages = ["石门村", "柳塘村", "白沙村", "荷塘村", "落霞村", "松林村"]
    docs = [Doc(id=f"d{i}", title=f"{v}河堤出现裂缝",
                text=f"反映人住{v}。靠近{v}的一段河堤出现了长长的裂缝，汛期马上要到了，下游几百户人家很担心。",
                time=datetime(2023, 7, 1 + i), petitioner=f"p{i}") for i, v in enumerate(villages)]
    topic = hot_topics(docs, top=1)[0]
    assert len(topic.ids) == 6
    assert not any("的" in k or "马上要" in k or k.startswith("反映") for k in topic.keywords), topic.keywords
    # named by what is wrong, not by counts or asides (几百户, 靠近)
    assert {"河堤", "裂缝"} <= set(topic.name.split("·")), topic.name


def test_a_topic_is_not_named_by_a_fragment_the_segmenter_guessed():
    """好几头死猪 is cut 好几/头死/猪 by the segmenter's guessing: neither
    half-word may name the topic."""
    villages = ["石门村", "柳塘村", "白沙村", "荷塘村", "落霞村"]
    docs = [Doc(id=f"e{i}", title=f"{v}河边有病死猪",
                text=f"最近在{v}的山沟和河边发现好几头死猪，不知道是谁丢的，担心传染疫病、污染水源。",
                time=datetime(2023, 8, 1 + i), petitioner=f"q{i}") for i, v in enumerate(villages)]
    topic = hot_topics(docs, top=1)[0]
    assert len(topic.ids) == 5
    assert not {"头死", "好几"} & set(topic.keywords), topic.keywords
    assert "病死猪" in topic.keywords[:3], topic.keywords


def test_problem_list_by_month():
    topics = problem_list(_own_docs(), "2023-06")
    ids = {i for t in topics for i in t.ids}
    assert ids == {"b0", "b1", "b2", "c0"}
    with pytest.raises(ValueError):
        problem_list(_own_docs(), "June")


def test_heat_formula_prefers_many_people():
    assert heat_score(10, 10, 0, 0, 1, 0) > heat_score(10, 1, 0, 0, 1, 0)
    assert heat_score(5, 5, 0, 0, 1, 0) > heat_score(5, 5, 0, 0, 1, 200)
    assert heat_score(5, 5, 100, 0, 1, 0) > heat_score(5, 5, 0, 0, 1, 0)


@pytest.fixture(scope="module")
def board():
    from fengqiao.text.cli import _board_docs

    docs = _board_docs(data_file("messages_with_votes.xlsx"))
    return docs, hot_topics(docs, top=0)


def test_real_board_top_topics_are_coherent(board):
    docs, topics = board
    by = {d.id: d for d in docs}
    assert len(docs) > 4000
    top10 = topics[:10]
    for t in top10:
        assert t.count >= 3, t.name
        texts = [normalize(f"{by[i].title} {by[i].text}") for i in t.ids]
        # the lead key phrase is shared by most messages, and every message
        # carries at least one of the topic's key phrases
        assert sum(t.keywords[0] in x for x in texts) / t.count >= 0.5, t.name
        assert sum(any(k in x for k in t.keywords[:3]) for x in texts) / t.count >= 0.8, t.name
    # the hottest topic is raised by many different people
    median_users = statistics.median(t.petitioners for t in topics)
    assert top10[0].petitioners > median_users
    assert top10[0].petitioners >= 10
    # every message is in exactly one topic
    all_ids = [i for t in topics for i in t.ids]
    assert len(all_ids) == len(set(all_ids)) == len(docs)


def test_real_board_recurring_problems_are_gathered(board):
    """The strongly recurring problems (the two top topics) collect most of
    the board's messages that mention their key phrase."""
    docs, topics = board
    texts = {d.id: normalize(f"{d.title} {d.text}") for d in docs}
    for t in topics[:2]:
        key = max(t.keywords[:3], key=len)
        mentioning = {i for i, x in texts.items() if key in x}
        assert len(mentioning) >= 10
        inside = len(mentioning & set(t.ids)) / len(mentioning)
        assert inside >= 0.7, (t.name, inside)
    counts = Counter(len(t.ids) for t in topics)
    assert counts[1] < len(docs)  # some grouping happened at all
