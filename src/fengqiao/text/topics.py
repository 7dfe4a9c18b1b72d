"""Hot-topic mining: group messages about the same recurring problem.

Method
------
1. Each message (title counted twice + detail) is segmented; words get
   TF-IDF weights.  Words that look like names of places or organisations
   (estate, road, school, company: found by suffix, see ``_NAME_SUFFIX``, or
   rare multi-character words) get extra weight, because the named place
   usually identifies the real recurring problem.
2. Messages are grouped by average-linkage agglomerative clustering on
   cosine distance (no chaining of unrelated messages), cut at
   ``1 - min_similarity``.
3. A group is named by its key phrases: the words shared by most of its
   messages, names first, then the routing lexicon's words (河堤, 储值卡);
   numerals, times and adverbs (几百户, 明天) last.  Words the segmenter
   guessed outside its dictionary name a topic only when they grow into a
   name (车贷 → 58车贷): other guesses are fragments (好几头死猪 → 头死).

Heat (documented formula)::

    heat = 10*log2(1+petitioners) + 4*log2(1+messages)
         + 3*log2(1+support) - 1*log2(1+oppose)
         + 3*(regions-1 capped at 3)
    heat *= 0.6 + 0.4*exp(-days_since_last_message/30)

``petitioners`` = distinct 留言用户 (or messages when unknown), support =
sum of 点赞数, oppose = sum of 反对数.  Many distinct people count most; the
recency factor keeps old topics from dominating.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Iterable

import numpy as np

from .normalize import normalize
from .routing import builtin_cue_words
from .segment import Segmenter

__all__ = ["Doc", "Topic", "hot_topics", "problem_list", "heat_score"]

_NAME_SUFFIX = re.compile(
    r"(小区|花园|家园|新城|新村|公寓|大厦|广场|名苑|华庭|华府|雅苑|山庄|国际|嘉园|苑|府|湾|城|园|"
    r"路|街|大道|大桥|桥|隧道|立交|站|地铁|线|"
    r"小学|中学|学校|学院|大学|幼儿园|医院|卫生院|"
    r"公司|集团|银行|工厂|厂|市场|超市|商场|酒店|宾馆|"
    r"村|社区|街道|镇|乡|工地|项目|搅拌站|车贷|平台)$"
)
# generic words never used as a topic name
_GENERIC = set("""
问题 反映 反映人 来电人 咨询 投诉 举报 建议 希望 请求 要求 解决 处理 情况 相关 部门 有关部门 领导 政府 市民 居民 业主
小区 公司 学校 医院 市场 项目 道路 马路 街道 社区 村民 工作 时间 影响 严重 生活 安全 管理 服务 政策 规定
单位 人员 工程 建设 施工 整改 落实 多次 长期 一直 目前 现在 已经 没有 不能 可以 是否 能否 为何 为什么 何时
怎么 如何 什么 尽快 及时 谢谢 您好 你好 尊敬 本人 我们 他们 大家 百姓 群众 领导们 同志 网友 事情 费用 价格
导致 出现 发生 进行 存在 造成 因为 由于 所以 但是 而且 这样 那么 还是 或者 以及 以上 以下 附近 周边 期间 之前
之后 以后 以前 今年 去年 每天 晚上 白天 目前 至今 已经 多年 一年 两年 半年 请问 咨询一下 反映一下 希望能
无法 靠近 任何理由 说明原因
""".split())


@dataclass
class Doc:
    id: object
    title: str = ""
    text: str = ""
    time: datetime | None = None
    petitioner: str | None = None
    region: str | None = None
    support: int | None = None
    oppose: int | None = None


@dataclass
class Topic:
    name: str
    keywords: list[str]
    heat: float
    ids: list
    petitioners: int
    support: int
    oppose: int
    start: datetime | None
    end: datetime | None
    regions: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)

    def to_dict(self) -> dict:
        return {
            "name": self.name, "keywords": self.keywords, "heat": round(self.heat, 2),
            "count": self.count, "petitioners": self.petitioners, "support": self.support,
            "oppose": self.oppose, "ids": self.ids,
            "start": self.start.isoformat(sep=" ") if self.start else None,
            "end": self.end.isoformat(sep=" ") if self.end else None,
            "regions": self.regions,
        }


def heat_score(n_docs: int, petitioners: int, support: int, oppose: int, regions: int,
               days_since_last: float | None) -> float:
    """The heat formula of the module docstring."""
    h = (10 * math.log2(1 + petitioners) + 4 * math.log2(1 + n_docs)
         + 3 * math.log2(1 + max(support, 0)) - math.log2(1 + max(oppose, 0))
         + 3 * min(max(regions - 1, 0), 3))
    if days_since_last is not None:
        h *= 0.6 + 0.4 * math.exp(-max(days_since_last, 0.0) / 30.0)
    return max(h, 0.0)


_STOP_CHARS = set("的了在和与及是把被对从到等将向为也都就还又而但并或这那个些之其我你他她它们有没不很太")
_PARTICLES = set("的了着吗呢吧")
_PLACE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}[市区县]")
_seg: Segmenter | None = None


def _segmenter() -> Segmenter:
    global _seg
    if _seg is None:
        _seg = Segmenter()
    return _seg


def _doc_terms(seg: Segmenter, d: Doc, detail_chars: int) -> Counter:
    title = normalize(d.title or "")
    body = normalize(d.text or "")[:detail_chars]
    tf: Counter = Counter()
    for w in seg(title, normalized=True):
        if len(w) >= 2:
            tf[w] += 2.0
    for w in seg(body, normalized=True):
        if len(w) >= 2:
            tf[w] += 1.0
    return tf


def _is_keyword(w: str) -> bool:
    """A word that can name a problem: no particle inside (长长的, 修好了) and no
    function character at either end (不少鱼)."""
    return not (set(w) & _PARTICLES) and w[0] not in _STOP_CHARS and w[-1] not in _STOP_CHARS


def _names_one_thing(phrase: str) -> bool:
    """A phrase grown from a keyword is kept when it is a place or organisation
    name that does not start with a generic word, or two words that are not
    generic (捆绑销售, 公积金贷款): a longer run repeated across messages is a
    turn of phrase (汛期马上要)."""
    if _is_name(phrase):  # 丽发新城小区, but not 反映人住白沙镇
        return [w for w in _segmenter().tokens(phrase) if w.strip()][0] not in _GENERIC
    words = _segmenter().tokens(phrase, hmm=False)  # 单元门禁坏 is three words, not two
    return len(words) <= 2 and not any(w in _GENERIC or len(w) < 2 for w in words)


# parts of speech that never name a problem: numerals and measure words
# (几百户, 十元), times (明天), pronouns, adverbs, prepositions, conjunctions, particles
_POS_NOT_NAMING = ("m", "q", "t", "r", "d", "p", "c", "u")


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """The dictionary's part-of-speech tag of each word (jieba's table)."""
    try:
        from jieba.posseg import POSTokenizer
    except ImportError:  # pragma: no cover - another segmenter backend
        return {}
    return POSTokenizer(_segmenter().tokenizer).word_tag_tab


def _naming_weight(w: str) -> float:
    """How apt ``w`` is to name a topic: place and organisation names first,
    then the words of the routing lexicon and category names (河堤, 储值卡,
    扰民), least the words that name nothing (几百户, 明天, 无故)."""
    if w in _GENERIC:
        return 0.1
    if _is_name(w):
        return 1.5
    if _word_tags().get(w, "x")[:1] in _POS_NOT_NAMING:
        return 0.3
    return 1.3 if w in builtin_cue_words() else 1.0


def _whole_word(w: str, texts: list[str]) -> bool:
    """A dictionary word, a name, or a word the segmenter guessed that grows
    into a name in these texts (车贷 → 58车贷); other guesses are often
    fragments of a phrase (好几头死猪 → 头死)."""
    if _segmenter().known(w) or _is_name(w):
        return True
    grown = _expand_phrase(w, texts)
    return _is_name(grown) and _names_one_thing(grown)  # not 反映人住白沙镇


def _is_name(w: str) -> bool:
    return len(w) >= 3 and bool(_NAME_SUFFIX.search(w)) and w not in _GENERIC


def _cluster(X, min_similarity: float) -> np.ndarray:
    """Average-linkage clusters (cut at ``min_similarity``) of the rows of
    the L2-normalised sparse X.

    Average linkage never merges across connected components of the graph
    "cosine >= min_similarity", so each component is clustered on its own:
    same result, far less work."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse.csgraph import connected_components

    n = X.shape[0]
    labels = np.arange(n)
    if n < 2:
        return labels
    S = (X @ X.T).tocsr()
    S.data[S.data < min_similarity] = 0
    S.eliminate_zeros()
    ncomp, comp = connected_components(S, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(comp):
        members[int(c)].append(i)
    nxt = 0
    for idx in members.values():
        if len(idx) == 1:
            labels[idx[0]] = nxt
            nxt += 1
            continue
        if len(idx) > 4000:  # pathological: fall back to the component
            labels[idx] = nxt
            nxt += 1
            continue
        sub = X[idx]
        D = 1.0 - np.clip((sub @ sub.T).toarray(), 0.0, 1.0)
        iu = np.triu_indices(len(idx), 1)
        lab = fcluster(linkage(D[iu], method="average"), t=1.0 - min_similarity, criterion="distance")
        labels[idx] = lab - 1 + nxt
        nxt += int(lab.max())
    return labels


def _expand_phrase(word: str, texts: list[str], min_share: float = 0.6) -> str:
    """Grow ``word`` character by character while the longer string still
    occurs in most texts containing it (recovers names the segmenter split,
    e.g. two halves of an estate name)."""
    having = [t for t in texts if word in t]
    if len(having) < 2 or len(word) > 3:
        return word
    need = max(2, math.ceil(len(having) * min_share))
    phrase = word
    for _ in range(8):
        best = None
        for side in (0, 1):
            ext: Counter = Counter()
            for t in having:
                for m in re.finditer(re.escape(phrase), t):
                    j = m.start() - 1 if side == 0 else m.end()
                    if 0 <= j < len(t):
                        ext[t[j]] += 1
            for ch, _c in ext.most_common(1):
                if not re.match(r"[\u4e00-\u9fffA-Za-z0-9]", ch):
                    continue
                cand = ch + phrase if side == 0 else phrase + ch
                if not _is_keyword(cand):  # also refuses a function character at the new end
                    continue
                cnt = sum(1 for t in having if cand in t)
                if cnt >= need and (best is None or cnt > best[1]):
                    best = (cand, cnt)
        if best is None or len(best[0]) > 8:
            break
        phrase = best[0]
    return phrase


def hot_topics(docs: Iterable[Doc], top: int = 10, now: datetime | None = None, *,
               min_similarity: float = 0.18, detail_chars: int = 300) -> list[Topic]:
    """Group ``docs`` into topics and return the ``top`` hottest."""
    from scipy import sparse

    docs = [d for d in docs if (d.title or d.text)]
    if not docs:
        return []
    seg = _segmenter()
    terms = [_doc_terms(seg, d, detail_chars) for d in docs]
    df: Counter = Counter()
    for tf in terms:
        df.update(tf.keys())
    n = len(docs)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    max_df = max(10, int(0.05 * n))
    for i, tf in enumerate(terms):
        for w, c in tf.items():
            f = df[w]
            if f < 2 or f > max_df or w in _GENERIC:
                continue  # singletons cannot link; very common words only blur
            idf = math.log((n + 1) / (f + 0.5))
            boost = 2.0 if (_is_name(w) and f <= max(5, 0.005 * n)) else 1.0
            j = vocab.setdefault(w, len(vocab))
            rows.append(i)
            cols.append(j)
            vals.append((1 + math.log(c)) * idf * boost)
    X = sparse.csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel())
    norms[norms == 0] = 1.0
    X = sparse.diags(1.0 / norms) @ X
    labels = _cluster(X.tocsr(), min_similarity)

    groups: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        groups[int(lab)].append(i)
    times = [d.time for d in docs if d.time]
    ref = now or (max(times) if times else None)
    flat = [_PLACE_CODE.sub(" ", normalize(f"{d.title or ''} {(d.text or '')[:detail_chars]}")) for d in docs]
    made = {lab: _make_topic([docs[i] for i in mem], [terms[i] for i in mem], [flat[i] for i in mem], df, n, ref)
            for lab, mem in groups.items()}
    # merge groups anchored on the same named place / organisation
    parent = {lab: lab for lab in made}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, int] = {}
    max_anchor_df = max(5, int(0.03 * n))
    for lab, t in made.items():
        for a in _anchors(t):
            if sum(1 for f in flat if a in f) > max_anchor_df:
                continue
            if a in owner:
                parent[find(lab)] = find(owner[a])
            else:
                owner[a] = lab
    merged: dict[int, list[int]] = defaultdict(list)
    for lab in made:
        merged[find(lab)].append(lab)
    for root, labs in merged.items():
        if len(labs) < 2:
            continue
        mem = [i for lab in labs for i in groups[lab]]
        for lab in labs:
            made.pop(lab)
        made[root] = _make_topic([docs[i] for i in mem], [terms[i] for i in mem], [flat[i] for i in mem], df, n, ref)
    topics = list(made.values())
    topics.sort(key=lambda t: (-t.heat, -t.count, str(t.ids[0])))
    return topics[:top] if top else topics


def _anchors(t: Topic) -> list[str]:
    """Specific place/organisation names a multi-message topic is about."""
    if t.count < 2:
        return []
    return [w for w in t.keywords[:3] if len(w) >= 4 and _is_name(w)]


def _make_topic(members: list[Doc], terms: list[Counter], texts: list[str], df: Counter, n: int, ref) -> Topic:
    share: Counter = Counter()
    for tf in terms:
        share.update(tf.keys())
    m = len(members)

    def key_score(w: str) -> float:
        cover = share[w] / m
        idf = math.log((n + 1) / (df[w] + 0.5))
        return cover * cover * idf * _naming_weight(w)

    usable = [w for w in share if w not in _GENERIC and _is_keyword(w)] or list(share)
    cands = [w for w in usable if share[w] >= max(1, math.ceil(m * 0.34))] or usable
    if m >= 2:
        cands = [w for w in cands if _whole_word(w, texts)] or cands
    ranked = sorted(cands, key=lambda w: (-key_score(w), w))
    keywords: list[str] = []
    for w in ranked:
        if any(w in k or k in w for k in keywords):
            continue
        keywords.append(w)
        if len(keywords) == 5:
            break
    if m >= 2 and keywords:
        grown: list[str] = []
        for w in keywords:
            p = _expand_phrase(w, texts)
            if p != w and not _names_one_thing(p):
                p = w
            if not any(p in g or g in p for g in grown):
                grown.append(p)
        keywords = grown
    name = "".join(keywords[:1]) + ("·" + "·".join(keywords[1:3]) if len(keywords) > 1 else "")
    users = {d.petitioner for d in members if d.petitioner}
    pet = len(users) if users else m
    support = sum(int(d.support or 0) for d in members)
    oppose = sum(int(d.oppose or 0) for d in members)
    regions = sorted({d.region for d in members if d.region})
    times = sorted(d.time for d in members if d.time)
    start, end = (times[0], times[-1]) if times else (None, None)
    days = (ref - end).total_seconds() / 86400 if (ref and end) else None
    heat = heat_score(m, pet, support, oppose, len(regions), days)
    ordered = sorted(members, key=lambda d: (d.time or datetime.min, str(d.id)))
    return Topic(name=name or "未命名", keywords=keywords, heat=heat, ids=[d.id for d in ordered],
                 petitioners=pet, support=support, oppose=oppose, start=start, end=end, regions=regions)


def problem_list(docs: Iterable[Doc], month: str | tuple[int, int], top: int = 20, **kw) -> list[Topic]:
    """Hot topics among the messages of one month (``"2019-08"`` or (2019, 8))."""
    if isinstance(month, str):
        m = re.fullmatch(r"\s*(\d{4})\D?(\d{1,2})\s*", month)
        if not m:
            raise ValueError(f"月份格式应为 YYYY-MM / month must look like YYYY-MM: {month!r}")
        y, mo = int(m.group(1)), int(m.group(2))
    else:
        y, mo = month
    sel = [d for d in docs if d.time and d.time.year == y and d.time.month == mo]
    if not sel:
        return []
    end = max(d.time for d in sel)
    return hot_topics(sel, top=top, now=kw.pop("now", end), **kw)
