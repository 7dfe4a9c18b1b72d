"""Scoring helpers and the routing evaluation driver."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Sequence

__all__ = ["scores", "stratified_split", "case_text"]


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """Accuracy, macro-F1 over the gold classes, and per-class P/R/F1."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    n = len(gold)
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    support = Counter(gold)
    per = {}
    for c in sorted(support):
        prec = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        rec = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[c] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": support[c]}
    acc = sum(tp.values()) / n if n else 0.0
    mf1 = sum(v["f1"] for v in per.values()) / len(per) if per else 0.0
    return {"n": n, "accuracy": round(acc, 4), "macro_f1": round(mf1, 4), "per_class": per}


def stratified_split(labels: Sequence[str], fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Indices (train, test) with ``fraction`` of every class in train."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by[lab].append(i)
    rnd = random.Random(seed)
    train: list[int] = []
    test: list[int] = []
    for lab in sorted(by):
        idx = by[lab][:]
        rnd.shuffle(idx)
        k = int(round(len(idx) * fraction))
        if 0 < fraction < 1 and len(idx) > 1:
            k = min(max(k, 1), len(idx) - 1)
        train += idx[:k]
        test += idx[k:]
    return sorted(train), sorted(test)


def case_text(title, detail) -> str:
    """Case text = title + detail (as used by the board exports)."""
    t = "" if title is None else str(title)
    d = "" if detail is None else str(detail)
    return f"{t}\n{d}".strip()
