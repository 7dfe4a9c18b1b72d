"""Risk assessment of a petition (四色预警: red/orange/yellow/blue).

Score = sum of text signals (hand-written cue lists below, with cheap
negation handling) + history signals + group size.  Levels:
red >= 8, orange >= 5, yellow >= 3, blue >= 1, else ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

__all__ = ["Risk", "assess_risk", "LEVELS"]

LEVELS = ("red", "orange", "yellow", "blue")

# (weight, reason, cues)
_SIGNALS: list[tuple[float, str, tuple[str, ...]]] = [
    (8.0, "扬言自伤自杀或极端行为", (
        "跳楼", "跳河", "跳桥", "自焚", "自杀", "轻生", "寻死", "喝农药", "喝药", "服毒", "割腕", "上吊",
        "以死相逼", "以死明志", "死给你们看", "不想活", "活不下去", "一死了之", "同归于尽", "鱼死网破",
        "拼命", "拼了这条命", "报复社会", "炸掉", "炸药", "放火", "点火烧", "杀了", "血债血偿",
    )),
    (5.0, "扬言集体行动", (
        "集体上访", "集访", "群访", "群体上访", "集体到", "组织人员", "上百人", "几百人", "数百人", "上千人",
        "几十人", "数十人", "联名", "堵路", "堵门", "堵塞交通", "拉横幅", "打横幅", "挂横幅", "静坐", "围堵",
        "聚集", "游行", "示威", "罢工", "停工讨薪", "集体维权", "一起去", "全体业主", "全体村民", "全体员工",
    )),
    (5.0, "扬言进京或赴省上访", (
        "进京", "赴京", "去北京", "到北京", "上北京", "北京上访", "国家信访局", "中南海", "天安门",
        "赴省", "到省里", "去省里", "省信访局",
    )),
    (3.0, "扬言诉诸媒体或网络曝光", (
        "媒体曝光", "找媒体", "找记者", "联系记者", "曝光", "上网发帖", "发抖音", "发微博", "网络曝光",
        "央视", "焦点访谈", "新闻媒体", "自媒体",
    )),
    (2.0, "情绪激烈、对处理不满", (
        "忍无可忍", "走投无路", "逼上绝路", "绝望", "没有活路", "无路可走", "讨个说法", "讨说法", "官官相护",
        "不给解决就", "后果自负", "别怪我", "一定要讨", "冤", "含冤",
    )),
    (2.0, "涉及征地拆迁或非法集资等群体性利益", (
        "强拆", "强制拆迁", "暴力拆迁", "征地补偿", "非法集资", "爆雷", "跑路", "血本无归", "p2p", "P2P",
    )),
]
_NEGATION = re.compile(r"(不会|不要|不想|没有|没|不|绝不|决不|并未|并不|从未|不打算|不至于|无意)[^，。！？,.!?；;]{0,3}$")
_WAGE = re.compile(r"欠薪|拖欠.{0,6}(工资|工钱|薪)|讨薪|工资.{0,4}(未发|没发|不发)|不发工资|血汗钱")


@dataclass
class Risk:
    level: str | None
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"level": self.level, "score": self.score, "reasons": self.reasons}


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 8):start]))


def _spring_festival(year: int) -> date | None:
    """Spring Festival date (chinese_calendar / lunardate if installed,
    else a table for 2019-2035)."""
    table = {
        2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
        2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
        2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
    }
    if year in table:
        return date(year, *table[year])
    try:
        from lunardate import LunarDate  # optional

        return LunarDate(year, 1, 1).toSolarDate()
    except Exception:
        return None


def _before_holidays(d: date, days: int = 30) -> str | None:
    for y in (d.year, d.year + 1):
        sf = _spring_festival(y)
        if sf and timedelta(0) <= sf - d <= timedelta(days=days):
            return "春节"
    if date(d.year, 12, 31) - d <= timedelta(days=days):
        return "年底"
    return None


def assess_risk(text: str, *, repeat_count: int = 0, dissatisfied_count: int = 0,
                escalation_count: int = 0, group_size: int = 1, now=None) -> Risk:
    """Assess the risk level of a petition text plus its history."""
    from .normalize import normalize

    t = normalize(text or "")
    score = 0.0
    reasons: list[str] = []
    for weight, reason, cues in _SIGNALS:
        found = []
        for cue in cues:
            for m in re.finditer(re.escape(cue), t):
                if not _negated(t, m.start()):
                    found.append(cue)
                    break
        if found:
            score += weight
            reasons.append(f"{reason}（{'、'.join(found[:3])}）")
    wage = _WAGE.search(t)
    if wage and not _negated(t, wage.start()):
        score += 2.0
        reasons.append(f"涉及欠薪（{wage.group(0)}）")
        when = now or datetime.now()
        d = when.date() if isinstance(when, datetime) else when
        hol = _before_holidays(d)
        if hol:
            score += 3.0
            reasons.append(f"临近{hol}的欠薪诉求")
    if repeat_count > 0:
        score += min(repeat_count, 5) * 1.0
        reasons.append(f"重复信访{repeat_count}次")
    if dissatisfied_count > 0:
        score += min(dissatisfied_count, 3) * 1.5
        reasons.append(f"对处理结果不满意{dissatisfied_count}次")
    if escalation_count > 0:
        score += min(escalation_count, 3) * 2.0
        reasons.append(f"曾提级办理{escalation_count}次")
    if group_size >= 5:
        g = 5.0 if group_size >= 50 else 3.0 if group_size >= 20 else 2.0
        score += g
        reasons.append(f"涉及{group_size}人")
    if score >= 8:
        level = "red"
    elif score >= 5:
        level = "orange"
    elif score >= 3:
        level = "yellow"
    elif score >= 1:
        level = "blue"
    else:
        level = None
    return Risk(level, round(score, 2), reasons)
