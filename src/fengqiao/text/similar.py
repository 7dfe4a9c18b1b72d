"""Similar-case lookup and repeat / skip-level petition flags.

``SimilarIndex`` keeps, per case, a bottom-k sketch of its character
bigrams (the k bigrams with the smallest mixed hash) and an inverted index
from sketch entries to cases, stored as sorted numpy arrays (CSR).  Two texts
that share most of their wording share most of their sketch, so the overlap
count estimates Jaccard similarity.  New cases go to a small delta buffer
merged on demand; removals are tombstones.  Lookup touches only the query's
k posting lists (the very long ones are skipped), so it stays in the
milliseconds at a million cases.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .normalize import normalize

__all__ = ["SimilarIndex", "sketch", "sketch_many", "text_similarity", "rescore", "repeat_flags", "RepeatFlags",
           "level_rank"]

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_PLACE_CODE = re.compile(r"[A-Z]\d{0,2}[市区县]")
# hand-picked bigrams that occur in nearly every petition letter
_COMMON = {
    "问题", "反映", "希望", "领导", "您好", "政府", "部门", "有关", "相关", "解决", "我们", "他们", "没有",
    "已经", "什么", "怎么", "一个", "要求", "情况", "严重", "影响", "尊敬", "谢谢", "请问", "咨询", "投诉",
    "居民", "市民", "处理", "工作", "现在", "目前", "多次", "可以", "不能", "是否", "时间", "本人", "关于",
}
_COMMON_KEYS = None


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (bijective), vectorised."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def _bigram_keys(text: str) -> np.ndarray:
    """Mixed 64-bit keys of the distinct CJK/alnum character bigrams."""
    t = _PLACE_CODE.sub(" ", normalize(text))
    if len(t) < 2:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ok = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x30) & (cp <= 0x39)) | (
        (cp | np.uint64(0x20)) >= 0x61) & ((cp | np.uint64(0x20)) <= 0x7A)
    good = ok[:-1] & ok[1:]
    keys = (cp[:-1] << np.uint64(21)) | cp[1:]
    keys = np.unique(_mix(keys[good]))
    return keys[~np.isin(keys, _common_keys(), assume_unique=True)]


def _common_keys() -> np.ndarray:
    global _COMMON_KEYS
    if _COMMON_KEYS is None:
        cps = [np.frombuffer(w.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) for w in _COMMON]
        _COMMON_KEYS = np.unique(_mix(np.array([(c[0] << np.uint64(21)) | c[1] for c in cps], dtype=np.uint64)))
    return _COMMON_KEYS


def sketch_many(texts: Sequence[str], k: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-k sketches of many texts at once (vectorised).

    Returns (keys, doc) arrays: doc[i] is the position in ``texts`` of
    keys[i]; each text's keys are distinct, ascending and at most ``k``."""
    parts = [_PLACE_CODE.sub(" ", normalize(t)) for t in texts]
    lens = np.fromiter((len(x) for x in parts), dtype=np.int64, count=len(parts))
    joined = "\x00".join(parts)
    if not joined:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(parts)), lens + 1)[: len(cp)]
    ok = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x30) & (cp <= 0x39)) | (
        ((cp | np.uint64(0x20)) >= 0x61) & ((cp | np.uint64(0x20)) <= 0x7A))
    good = ok[:-1] & ok[1:]
    keys = _mix(((cp[:-1] << np.uint64(21)) | cp[1:])[good])
    doc = doc[:-1][good]
    keep = ~np.isin(keys, _common_keys())
    keys, doc = keys[keep], doc[keep]
    order = np.lexsort((keys, doc))
    keys, doc = keys[order], doc[order]
    if len(keys):
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (doc[1:] != doc[:-1])
        keys, doc = keys[first], doc[first]
        # rank within each doc; keep the k smallest
        starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
        counts = np.diff(np.r_[starts, len(doc)])
        rank = np.arange(len(doc)) - np.repeat(starts, counts)
        sel = rank < k
        keys, doc = keys[sel], doc[sel]
    return keys, doc


def sketch(text: str, k: int = 24) -> np.ndarray:
    """Bottom-k sketch (sorted uint64) of the text's character bigrams."""
    keys = _bigram_keys(text)
    if len(keys) > k:
        keys = np.partition(keys, k - 1)[:k]
        keys.sort()
    return keys


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigram sets (exact)."""
    return _keys_similarity(_bigram_keys(a), _bigram_keys(b))


def _keys_similarity(ka: np.ndarray, kb: np.ndarray) -> float:
    if not len(ka) or not len(kb):
        return 0.0
    inter = len(np.intersect1d(ka, kb, assume_unique=True))
    # containment-leaning score: a short complaint repeated inside a longer
    # letter still counts as the same matter
    return inter / min(len(ka), len(kb)) * 0.5 + inter / (len(ka) + len(kb) - inter) * 0.5


def rescore(text: str, candidates: Iterable[tuple[object, str]], min_score: float) -> list[tuple[object, float]]:
    """Exact ``text_similarity`` of index hits ``(case_id, text)``, best first,
    those under ``min_score`` left out.  The index's sketch estimate is coarse
    (letters on one matter, worded differently, can all estimate at 100%);
    the few hits a user is shown get the exact figure."""
    mine = _bigram_keys(text)
    scored = [(cid, round(_keys_similarity(mine, _bigram_keys(other)), 4)) for cid, other in candidates]
    return sorted((h for h in scored if h[1] >= min_score), key=lambda h: -h[1])


def _store(keys: np.ndarray) -> np.ndarray:
    """Stored form of sketch keys: the top 32 bits (order-preserving; rare
    collisions only merge two posting lists)."""
    return (keys >> np.uint64(32)).astype(np.uint32)


def _to_ts(t) -> float:
    if t is None:
        return float("nan")
    if isinstance(t, (int, float)):
        return float(t)
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return t.timestamp()
    if isinstance(t, date):
        return datetime(t.year, t.month, t.day, tzinfo=timezone.utc).timestamp()
    raise TypeError(f"bad timestamp: {t!r}")


def _posting_cap(n: int) -> int:
    """Longest posting list a query still scores with.  A character pair found
    in more than 1 in 20 stored cases is boilerplate (我们是…的住户, 恳请有关部门…)
    and says nothing about the matter; in big indexes the cap is also what
    bounds a query's work (2,000 cases, or 1 in 200)."""
    return max(10, min(n // 20, max(2000, n // 200)))


class SimilarIndex:
    """Near-duplicate / same-matter case index.  See module docstring."""

    def __init__(self, k: int = 24, max_posting: int | None = None):
        self.k = k
        self.max_posting = max_posting
        self._ids: list = []
        self._pos: dict = {}
        self._region: list[str] = []
        self._ts = np.zeros(0)
        self._ts_buf: list[float] = []
        self._alive = np.zeros(0, dtype=bool)
        self._alive_buf: list[bool] = []
        self._sklen = np.zeros(0, dtype=np.int16)
        self._sklen_buf: list[int] = []
        self._pet: dict[int, str] = {}
        self._region_np: np.ndarray | None = None
        # CSR postings
        self._keys = np.zeros(0, dtype=np.uint32)
        self._offs = np.zeros(1, dtype=np.int64)
        self._docs = np.zeros(0, dtype=np.int32)
        # delta buffer
        self._dkeys: list[np.ndarray] = []
        self._ddocs: list[np.ndarray] = []
        self._dsize = 0
        self._dcsr = None

    # ---- building -----------------------------------------------------
    def __len__(self) -> int:
        self._flush_arrays()
        return int(self._alive.sum())

    def add(self, case_id, text: str, region_code: str = "", timestamp=None, petitioner_key: str | None = None) -> None:
        """Add (or replace) one case."""
        if case_id in self._pos:
            self.remove(case_id)
        i = len(self._ids)
        self._ids.append(case_id)
        self._pos[case_id] = i
        self._region.append(str(region_code or ""))
        self._ts_buf.append(_to_ts(timestamp))
        self._alive_buf.append(True)
        sk = sketch(text, self.k)
        self._sklen_buf.append(len(sk))
        if petitioner_key:
            self._pet[i] = str(petitioner_key)
        if len(sk):
            self._dkeys.append(_store(sk))
            self._dcsr = None
            self._ddocs.append(np.full(len(sk), i, dtype=np.int32))
            self._dsize += len(sk)
        if self._dsize > 1_000_000:
            self._merge()

    def add_many(self, rows: Iterable[Sequence], chunk: int = 20000) -> int:
        """Add rows of (case_id, text, region_code, timestamp[, petitioner_key])
        in vectorised chunks; returns the number added."""
        n = 0
        buf: list = []
        for row in rows:
            buf.append(row)
            if len(buf) >= chunk:
                n += self._add_chunk(buf)
                buf = []
        if buf:
            n += self._add_chunk(buf)
        return n

    def _add_chunk(self, rows: list) -> int:
        for row in rows:
            if row[0] in self._pos:
                self.remove(row[0])
        base = len(self._ids)
        keys, doc = sketch_many([r[1] or "" for r in rows], self.k)
        for j, row in enumerate(rows):
            cid = row[0]
            self._ids.append(cid)
            self._pos[cid] = base + j
            self._region.append(str(row[2] or "") if len(row) > 2 else "")
            self._ts_buf.append(_to_ts(row[3]) if len(row) > 3 else float("nan"))
            if len(row) > 4 and row[4]:
                self._pet[base + j] = str(row[4])
        self._alive_buf.extend([True] * len(rows))
        self._sklen_buf.extend(np.bincount(doc, minlength=len(rows)).tolist())
        if len(keys):
            self._dkeys.append(_store(keys))
            self._dcsr = None
            self._ddocs.append((doc + base).astype(np.int32))
            self._dsize += len(keys)
        if self._dsize > 30_000_000:
            self._merge()
        return len(rows)

    @classmethod
    def build(cls, rows: Iterable[Sequence], k: int = 24) -> "SimilarIndex":
        """Build from rows of (case_id, text, region_code, timestamp[, petitioner_key])."""
        idx = cls(k=k)
        idx.add_many(rows)
        idx._merge()
        return idx

    def _flush_arrays(self) -> None:
        if self._ts_buf:
            self._ts = np.concatenate([self._ts, np.asarray(self._ts_buf, dtype=np.float64)])
            self._alive = np.concatenate([self._alive, np.asarray(self._alive_buf, dtype=bool)])
            self._sklen = np.concatenate([self._sklen, np.asarray(self._sklen_buf, dtype=np.int16)])
            self._ts_buf, self._alive_buf, self._sklen_buf = [], [], []

    def _merge(self) -> None:
        """Fold the delta buffer into the CSR arrays."""
        self._flush_arrays()
        if not self._dkeys:
            return
        nk = np.concatenate(self._dkeys)
        nd = np.concatenate(self._ddocs)
        self._dkeys, self._ddocs, self._dsize = [], [], 0
        self._dcsr = None
        # expand existing CSR back to pairs, then sort everything by key
        ok = np.repeat(self._keys, np.diff(self._offs))
        allk = np.concatenate([ok, nk])
        alld = np.concatenate([self._docs, nd])
        del ok, nk, nd
        order = np.argsort(allk)
        allk = allk[order]
        self._docs = alld[order]
        del alld, order
        self._keys, starts = np.unique(allk, return_index=True)
        self._offs = np.append(starts, len(allk)).astype(np.int64)
        self._region_array()

    def remove(self, case_id) -> bool:
        i = self._pos.pop(case_id, None)
        if i is None:
            return False
        self._flush_arrays()
        self._alive[i] = False
        self._pet.pop(i, None)
        return True

    def clear(self) -> None:
        self.__init__(k=self.k, max_posting=self.max_posting)

    # ---- querying -----------------------------------------------------
    def query(self, text: str, region_prefix: str | None = None, since=None, k: int = 10,
              min_score: float = 0.2, until=None, exclude=None) -> list[tuple[object, float]]:
        """Most similar live cases as (case_id, score in [0,1]), best first."""
        self._flush_arrays()
        q = np.unique(_store(sketch(text, self.k)))
        if not len(q) or not len(self._ids):
            return []
        n = len(self._ids)
        cap = self.max_posting or _posting_cap(n)
        parts = []
        skipped = 0
        for keys, offs, dl in self._csrs():
            pos = np.searchsorted(keys, q)
            inside = pos < len(keys)
            pos, qq = pos[inside], q[inside]
            for p in pos[keys[pos] == qq]:
                a, b = offs[p], offs[p + 1]
                if b - a <= cap:
                    parts.append(dl[a:b])
                else:
                    skipped += 1  # too common to discriminate: left out of the score
        if not parts:
            return []
        cand = np.concatenate(parts)
        docs, cnt = np.unique(cand, return_counts=True)
        usable = max(len(q) - skipped, 1)
        denom = np.minimum(self._sklen[docs], usable).clip(1)
        score = cnt / denom
        keep = (score >= min_score) & self._alive[docs]
        if since is not None:
            keep &= self._ts[docs] >= _to_ts(since)
        if until is not None:
            keep &= self._ts[docs] <= _to_ts(until)
        docs, score = docs[keep], score[keep]
        if region_prefix and len(docs):
            rp = str(region_prefix)
            base = self._region_np if self._region_np is not None else np.zeros(0, dtype=str)
            old = docs < len(base)
            m = np.zeros(len(docs), dtype=bool)
            if old.any():
                m[old] = np.char.startswith(base[docs[old]], rp)
            for j in np.flatnonzero(~old):
                m[j] = self._region[docs[j]].startswith(rp)
            docs, score = docs[m], score[m]
        if exclude is not None:
            ex = {self._pos.get(e) for e in (exclude if isinstance(exclude, (list, set, tuple)) else [exclude])}
            m = np.fromiter((d not in ex for d in docs), dtype=bool, count=len(docs))
            docs, score = docs[m], score[m]
        if len(docs) > k:
            top = np.argpartition(-score, k - 1)[:k]
            docs, score = docs[top], score[top]
        order = np.lexsort((docs, -score))
        return [(self._ids[d], round(float(min(score[j], 1.0)), 4)) for j, d in ((j, docs[j]) for j in order)]

    def _region_array(self) -> np.ndarray:
        if self._region_np is None or len(self._region_np) != len(self._region):
            self._region_np = np.asarray(self._region, dtype=str)
        return self._region_np

    def _csrs(self):
        """The main CSR postings and a small CSR of the not-yet-merged delta."""
        out = [(self._keys, self._offs, self._docs)]
        if self._dkeys:
            if self._dcsr is None:
                k = np.concatenate(self._dkeys)
                d = np.concatenate(self._ddocs)
                order = np.argsort(k, kind="stable")
                k, d = k[order], d[order]
                uk, starts = np.unique(k, return_index=True)
                self._dcsr = (uk, np.append(starts, len(k)).astype(np.int64), d)
            out.append(self._dcsr)
        return out

    def petitioner_of(self, case_id) -> str | None:
        i = self._pos.get(case_id)
        return None if i is None else self._pet.get(i)

    # ---- persistence --------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write one ``.npz`` file (no pickles)."""
        self._merge()
        ids = self._ids
        int_ids = all(isinstance(x, int) for x in ids)
        meta = {"format": "fengqiao.similar", "version": 1, "k": self.k, "int_ids": int_ids,
                "petitioners": {str(i): p for i, p in self._pet.items()}}
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            ids=np.asarray(ids, dtype=np.int64) if int_ids else np.asarray([str(x) for x in ids], dtype=str),
            region=self._region_array(),
            ts=self._ts, alive=self._alive, sklen=self._sklen,
            keys=self._keys, offs=self._offs, docs=self._docs,
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SimilarIndex":
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                if meta.get("format") != "fengqiao.similar":
                    raise ValueError("not a similar-case index")
                idx = cls(k=int(meta["k"]))
                ids = z["ids"].tolist()
                idx._ids = ids
                idx._region_np = z["region"]
                idx._region = idx._region_np.tolist()
                idx._ts, idx._alive, idx._sklen = z["ts"], z["alive"], z["sklen"]
                idx._keys, idx._offs, idx._docs = z["keys"], z["offs"], z["docs"]
        except (OSError, ValueError, KeyError) as e:
            raise ValueError(f"相似案件索引文件无法读取 / cannot read similar-case index: {e}") from e
        idx._pos = {cid: i for i, cid in enumerate(ids) if idx._alive[i]}
        idx._pet = {int(i): p for i, p in meta.get("petitioners", {}).items()}
        return idx


# --------------------------------------------------------------------------
# Repeat / skip-level petitions
# --------------------------------------------------------------------------

_LEVELS = {
    "village": 0, "community": 0, "村": 0, "社区": 0, "居委会": 0, "村委会": 0,
    "town": 1, "township": 1, "street": 1, "乡": 1, "镇": 1, "乡镇": 1, "街道": 1,
    "county": 2, "district": 2, "县": 2, "区": 2, "县级": 2, "县区": 2,
    "city": 3, "prefecture": 3, "市": 3, "市级": 3,
    "province": 4, "省": 4, "省级": 4,
    "national": 5, "central": 5, "国家": 5, "中央": 5,
}


def level_rank(level) -> int | None:
    """Administrative level as a rank (村 0, 乡镇/街道 1, 县/区 2, 市 3, 省 4, 国家 5)."""
    if level is None:
        return None
    if isinstance(level, int):
        return level
    return _LEVELS.get(str(level).strip().lower())


@dataclass
class RepeatFlags:
    repeat: bool
    skip_level: bool
    similar_case_ids: list = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"repeat": self.repeat, "skip_level": self.skip_level,
                "similar_case_ids": self.similar_case_ids, "reasons": self.reasons}


def repeat_flags(text: str, earlier_cases: Iterable[Sequence], *, level="county", now=None,
                 threshold: float = 0.3) -> RepeatFlags:
    """Flag 重复信访 and 越级访 for a new case of one petitioner.

    ``earlier_cases``: that petitioner's earlier cases as
    (id, text, region, time, level).  ``repeat``: an earlier case on a
    similar matter exists.  ``skip_level``: the new case is raised at county
    level or above and no earlier case on the matter was raised at town
    (乡镇/街道) level or below.
    """
    new_rank = level_rank(level)
    now_ts = _to_ts(now) if now is not None else math.inf
    similar: list[tuple[object, float, int | None]] = []
    for case in earlier_cases:
        cid, ctext, _region, ctime, clevel = (list(case) + [None] * 5)[:5]
        if ctime is not None and _to_ts(ctime) > now_ts:
            continue
        s = text_similarity(text, ctext or "")
        if s >= threshold:
            similar.append((cid, s, level_rank(clevel)))
    similar.sort(key=lambda t: -t[1])
    reasons: list[str] = []
    repeat = bool(similar)
    if repeat:
        reasons.append(f"同一信访人此前已就相似事项提出{len(similar)}件（重复信访）")
    skip = False
    if new_rank is not None and new_rank >= 2:
        lower = [r for _, _, r in similar if r is not None and r <= 1]
        if not lower:
            skip = True
            reasons.append("在县级及以上提出，此前未在乡镇（街道）一级反映同一事项（越级访）")
    return RepeatFlags(repeat, skip, [c for c, _, _ in similar], reasons)
