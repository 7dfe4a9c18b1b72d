"""Chinese word segmentation (jieba) with a domain dictionary and stopwords."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from functools import lru_cache
from typing import Iterable

from .normalize import normalize

__all__ = ["Segmenter", "segment", "STOPWORDS", "get_tokenizer", "add_words", "backend", "inner_words"]

# Hand-written stopwords: function words, politeness formulas of letters to
# officials, and words that occur in almost every petition.
STOPWORDS = frozenset("""
的 了 和 与 及 或 是 在 有 也 都 就 还 又 而 但 并 被 把 给 对 向 从 到 于 以 为 让 使 由 将 等 之 其 此 这 那 哪
们 个 些 着 过 吗 呢 吧 啊 呀 哦 嘛 么 啦 么 很 太 更 最 再 才 只 已 能 会 要 想 去 来 上 下 里 中 内 外 后 前 时
我 你 您 他 她 它 我们 你们 您们 他们 她们 它们 自己 大家 本人 人家 咱们 各位 这个 那个 这些 那些 这里 那里 这样 那样
这么 那么 什么 怎么 怎样 为什么 为何 如何 哪里 多少 几 一 一个 一些 一下 一直 一起 一样 一定 一次 一般 没 没有 不 不是
不能 不会 不要 不到 可以 可能 能够 应该 需要 必须 已经 正在 现在 目前 当时 之前 之后 以后 以前 以来 期间 今年 去年 明年
今天 昨天 每天 每年 每月 年 月 日 号 点 分 天 小时 时候 时间 尊敬 领导 您好 你好 好 谢谢 感谢 感激 麻烦 烦请 恳请
请 请问 希望 恳求 请求 盼 望 回复 答复 尽快 及时 早日 关于 对于 关于 问题 情况 事情 事 有关 相关 有关部门 部门 政府
反映 反应 咨询 投诉 举报 建议 诉求 要求 了解 知道 认为 觉得 表示 看到 发现 得到 进行 通过 根据 按照 因为 所以
因此 但是 可是 然而 如果 虽然 而且 并且 以及 还是 或者 而是 由于 即使 只是 还有 另外 同时 然后 其中 其他 其它 以上
市 区 县 镇 乡 街道~ 省 西地省 同志 市民 网友 老百姓 百姓 群众 居民~ 非常 十分 特别 严重~ 多次 长期 一直 终于 竟然
居然 到底 究竟 是否 能否 可否 何时 多久 不知 谢 致 此致 敬礼 此 该 各 每 某 本 之 所 所有 全部 啥 咋 嘛
""".replace("~", "").split())

_JUNK = re.compile(r"^(?:[\W_]+|\d+(?:\.\d+)?%?|[A-Za-z]\d*)$")
# anonymised place codes such as "A市", "A2区", "K9县" found in public board
# exports; they carry no meaning and confuse the HMM segmenter.
_PLACE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}(?=[市区县])[市区县]")

_lock = threading.Lock()
_tokenizer = None
_added: set[str] = set()


def _jieba_module():
    """jieba (MIT).  ``FENGQIAO_SEGMENTER=jieba_fast_dat`` opts in to
    jieba-fast-dat (same API and dictionary, C++ core, faster) when it is
    installed; it is never picked up automatically."""
    if os.environ.get("FENGQIAO_SEGMENTER", "").lower() in ("jieba_fast_dat", "jieba-fast-dat"):
        try:
            import jieba_fast_dat

            return jieba_fast_dat
        except ImportError:
            pass
    import jieba

    return jieba


def backend() -> str:
    """Name of the segmentation library in use."""
    return type(get_tokenizer()).__module__.split(".")[0]


def get_tokenizer():
    """The shared jieba tokenizer, initialised once, quietly, with a cache
    file in the system temp dir (or ``$FENGQIAO_JIEBA_CACHE_DIR``)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            mod = _jieba_module()
            if hasattr(mod, "setLogLevel"):
                mod.setLogLevel(logging.WARNING)
            for name in ("jieba", "jieba_fast_dat"):
                logging.getLogger(name).setLevel(logging.WARNING)
            tok = mod.Tokenizer()
            tok.tmp_dir = os.environ.get("FENGQIAO_JIEBA_CACHE_DIR") or tempfile.gettempdir()
            tok.initialize()
            _tokenizer = tok
    return _tokenizer


def add_words(words: Iterable[str], freq: int | None = None) -> None:
    """Teach the shared tokenizer new words (idempotent, thread-safe)."""
    tok = get_tokenizer()
    with _lock:
        added = False
        for w in words:
            w = (w or "").strip()
            if len(w) < 2 or w in _added or " " in w:
                continue
            _added.add(w)
            # a high frequency makes jieba keep the word whole
            tok.add_word(w, freq if freq is not None else max(tok.suggest_freq(w, False), 50))
            added = True
        if added:
            inner_words.cache_clear()


@lru_cache(maxsize=200_000)
def inner_words(token: str) -> tuple[str, ...]:
    """Dictionary words of two or more characters inside ``token`` (jieba's
    search mode), without the token itself and stopwords."""
    return tuple(w for w in get_tokenizer().lcut_for_search(token, HMM=False)
                 if len(w) >= 2 and w != token and w not in STOPWORDS)


class Segmenter:
    """Word segmenter with a domain dictionary and stopword removal.

    ``extra_words``: taxonomy names, region names, estate names ... that
    must stay whole.
    """

    def __init__(self, extra_words: Iterable[str] = (), stopwords: Iterable[str] | None = None,
                 keep_single: bool = True, hmm: bool = True):
        self.tokenizer = get_tokenizer()
        self.hmm = hmm  # False: dictionary words only (faster, no new-word guessing)
        self.stopwords = frozenset(stopwords) if stopwords is not None else STOPWORDS
        self.keep_single = keep_single
        add_words(extra_words)

    def add_words(self, words: Iterable[str]) -> None:
        add_words(words)

    def known(self, word: str) -> bool:
        """In the dictionary (jieba's or added words), not a guess of the
        HMM: its guesses in short texts are often fragments (好几头死猪 →
        好几/头死/猪)."""
        return bool(getattr(self.tokenizer, "FREQ", {}).get(word))

    def tokens(self, text: str, *, normalized: bool = False, hmm: bool = True) -> list[str]:
        """All tokens (no filtering), after normalisation; ``hmm=False``:
        dictionary words and single characters only."""
        if not normalized:
            text = normalize(text)
        return self.tokenizer.lcut(text, HMM=hmm)

    def __call__(self, text: str, *, normalized: bool = False) -> list[str]:
        if not normalized:
            text = normalize(text)
        text = _PLACE_CODE.sub(" ", text)
        out = []
        stop = self.stopwords
        for w in self.tokenizer.lcut(text, HMM=self.hmm):
            w = w.strip()
            if not w or w in stop or _JUNK.match(w):
                continue
            if len(w) == 1 and not self.keep_single:
                continue
            out.append(w)
        return out

    segment = __call__


_default: Segmenter | None = None


def segment(text: str) -> list[str]:
    """Segment ``text`` with the default segmenter (stopwords removed)."""
    global _default
    if _default is None:
        _default = Segmenter()
    return _default(text)
