"""Sentences the demo cases are written from. A case's text is an opening that says who writes,
the category's own detail, what has been tried, and a request; each part drawn at random so that
cases about the same matter still read differently."""

import random

from fengqiao.demo import county

OPENINGS_VILLAGE = [
    "我是{town}{village}{group}组的村民。",
    "本人家住{town}{village}，",
    "我们是{village}的几户村民，",
    "您好，我是{village}村民，",
    "反映人住{town}{village}{group}组。",
]
OPENINGS_TOWN = [
    "我是{estate}的业主。",
    "本人住在{town}{estate}，",
    "您好，我是县城居民，",
    "我们是{estate}的住户，",
    "",
]
TRIED = [
    "这个问题已经持续{months}个月了，",
    "之前已经找过{who}，对方说会处理，但一直没有下文。",
    "已经向{who}反映过{times}次，至今没有解决。",
    "打过好几次电话，都说不归他们管，互相推诿。",
    "",
    "",
]
WHO = ["村委会", "社区", "物业", "镇里", "有关部门", "12345热线", "网格员"]
REQUESTS = [
    "恳请有关部门尽快调查处理。",
    "希望政府重视，给我们一个说法。",
    "请相关部门尽快协调解决，谢谢！",
    "希望尽快落实，不要再拖了。",
    "请领导关注，依法依规处理。",
    "盼复。",
]
CHANNEL_PREFIX = {
    "hotline": ["来电人反映：", "市民来电反映：", ""],
    "grid": ["网格员走访发现：", "网格巡查发现：", "入户走访时群众反映："],
    "police": ["110转来非警务警情：", "群众报警求助，经核实属非警务事项："],
    "court": ["法院诉前委派调解：", "诉调对接转来："],
    "representative": ["县人大代表转交群众意见：", "政协委员转来群众反映："],
    "video": ["视频接访中群众反映：", ""],
    "qrcode": [""],
    "letter": ["", "来信反映："],
    "visit": ["", "来访人反映："],
    "online": [""],
}

REPLY_OPENINGS = [
    "您反映的“{title}”问题已收悉。",
    "关于您反映的“{title}”一事，现答复如下：",
    "您好！您反映的问题我单位高度重视。",
]
REPLY_CHECK = [
    "经{dept}工作人员现场核实，您反映的情况基本属实。",
    "我单位立即安排专人到现场调查了解。",
    "经调查，情况与您反映的部分一致。",
    "我单位会同{town}及相关单位进行了核查。",
]
REPLY_ACTIONS = [
    "已责令责任方限期整改，并将持续跟踪整改落实情况。",
    "已约谈相关负责人，督促其在{days}个工作日内处理到位。",
    "已组织双方进行协调，双方已达成一致意见。",
    "已安排人员上门处理，目前问题已经解决。",
    "已将该问题纳入近期工作计划，预计{months}个月内完成。",
    "已依法立案调查，处理结果将及时告知您。",
    "已向您详细解释了相关政策，并指导您按程序办理。",
]
REPLY_CLOSINGS = [
    "如有疑问，可拨打{phone}咨询。感谢您的监督！",
    "感谢您对我们工作的理解和支持。",
    "如对答复不满意，可在收到答复之日起30日内申请复查。",
    "",
]
REDO_REPLIES = [
    "根据您的意见，我单位再次进行了核实，已督促责任方彻底整改，并请您现场确认，问题已解决。",
    "针对您的补充意见，我单位重新组织协调，已落实赔偿和整改措施。",
]
REVIEW_REPLIES = [
    "经复查，原处理意见事实清楚，我单位已进一步落实相关措施，并当面向您作了说明。",
    "复查认为原答复对部分诉求回应不足，现已补充处理并书面告知。",
]
REJECT_REASONS = [
    "该事项已进入诉讼程序，依法不予受理，请通过司法途径解决",
    "诉求内容不明确，经联系反映人未能补充具体情况",
    "该事项已经办结并作出答复，反映人未提出新的事实和理由",
    "反映的问题不属于本县管辖，已告知向有权处理的机关提出",
]
RETURN_REASONS = [
    "该事项不属于本单位职责范围，建议交由属地镇（街道）办理",
    "诉求涉及多个部门，请明确牵头单位",
    "反映地址不详，无法联系上反映人，请补充信息",
]
ESCALATE_REASONS = [
    "涉及多户群众和多个部门，本级协调不了，申请提级办理",
    "当事双方分歧较大，村级调解未果，提请上级办理",
    "涉及资金较大，需要上级统筹协调",
]
EXTEND_REASONS = [
    "需要委托第三方检测，检测周期较长",
    "涉及多个部门会商，需要延长办理时间",
    "需要等待施工季节完成整改",
]
COMMENTS_GOOD = ["问题解决了，谢谢！", "处理很及时，满意。", "态度很好，基本解决了。", "", ""]
COMMENTS_BAD = ["问题根本没有解决，只是敷衍了事。", "答复和实际情况不符。", "说了要整改，到现在没人来。"]
APPEAL_REASONS = [
    "对答复不满意，问题没有实质解决，申请复查。",
    "答复认定的事实与实际不符，请求重新调查处理。",
]


def slots(rng: random.Random, town: str, village: str) -> dict:
    surname = rng.choice(county.SURNAMES)
    return {
        "town": town, "village": village, "group": rng.randint(1, 12),
        "estate": rng.choice(county.ESTATES), "road": rng.choice(county.ROADS),
        "company": rng.choice(county.COMPANIES), "school": rng.choice(county.SCHOOLS),
        "hospital": rng.choice(county.HOSPITALS), "market": rng.choice(county.MARKETS),
        "river": rng.choice(county.RIVERS), "shop": rng.choice(county.SHOPS),
        "neighbour": f"{surname}某", "months": rng.randint(2, 11), "years": rng.randint(2, 6),
        "n": rng.randint(3, 30), "small": rng.randint(2, 9), "money": rng.choice([1800, 2800, 3600, 5000, 6800, 8600, 12000]),
        "wan": rng.randint(2, 40),
        "times": rng.choice(["两", "三", "好几"]), "who": rng.choice(WHO),
        "days": rng.choice([5, 7, 10, 15]), "phone": f"0799-{rng.randint(2200000, 2299999)}",
    }


def case_text(rng: random.Random, *, title: str, detail: str, channel: str, rural: bool, values: dict) -> tuple[str, str]:
    """Return (title, content) for one case."""
    opening = rng.choice(OPENINGS_VILLAGE if rural else OPENINGS_TOWN)
    parts = [rng.choice(CHANNEL_PREFIX.get(channel, [""])), opening, detail, rng.choice(TRIED), rng.choice(REQUESTS)]
    return title.format(**values), "".join(parts).format(**values)


def reply_text(rng: random.Random, *, title: str, dept: str, values: dict) -> str:
    parts = [rng.choice(REPLY_OPENINGS), rng.choice(REPLY_CHECK), rng.choice(REPLY_ACTIONS), rng.choice(REPLY_CLOSINGS)]
    return "".join(parts).format(title=title, dept=dept, **{k: v for k, v in values.items() if k not in ("title", "dept")})
