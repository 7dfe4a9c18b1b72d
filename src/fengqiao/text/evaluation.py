"""Scoring helpers and the routing evaluation driver."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Sequence

__all__ = ["scores", "stratified_split", "case_text", "board_message_reader"]


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


def board_message_reader(header: Sequence[str]):
    """For a board export's header, a function from a row to its (text,
    title): text = 留言主题 + 留言详情; either column may be missing, not both."""
    from .xlsx import InputError

    if "留言主题" not in header and "留言详情" not in header:
        raise InputError("缺少列 / missing column(s): 留言主题 或/or 留言详情")
    ti = header.index("留言主题") if "留言主题" in header else None
    di = header.index("留言详情") if "留言详情" in header else None

    def message(row) -> tuple[str, str | None]:
        title = None if ti is None or row[ti] is None else str(row[ti])
        return case_text(title, row[di] if di is not None else None), title

    return message


def evaluate_routing(taxonomy_path, cases_path, label_column: str = "一级分类",
                     train_fraction: float | None = None, seed: int = 0,
                     self_train: bool = True) -> dict:
    """Score first-level routing on a labelled board export.

    Without ``train_fraction`` every case is classified from the taxonomy
    alone: no label is learned, but (unless ``self_train`` is off) the model
    first adapts to the cases' own wording (``RoutingModel.self_train`` on
    their texts), as a new deployment does on its unrouted history.  With
    ``train_fraction``, a stratified share is learned first and the rest is scored.

    Labels are used for scoring and for the training share only: after
    learning, predictions are chosen among the first-level classes seen in
    the training share (a board that files everything under a few classes
    is learned to do so); from the taxonomy alone, every class is a candidate.
    """
    from .routing import RoutingModel, Taxonomy
    from .xlsx import InputError, read_table

    tax = Taxonomy.from_xlsx(taxonomy_path)
    header, rows = read_table(cases_path, required=(label_column,))
    message = board_message_reader(header)
    li = header.index(label_column)
    titles, texts, labels = [], [], []
    for r in rows:
        lab = r[li]
        if lab is None or str(lab).strip() == "":
            continue
        text, title = message(r)
        titles.append(title)
        texts.append(text)
        labels.append(str(lab).strip())
    if not labels:
        raise InputError(f"没有带标签的案件 / no labelled cases in column {label_column}")
    unknown = sorted(set(labels) - set(tax.level1))
    model = RoutingModel.from_taxonomy(tax)
    if train_fraction:
        if not 0 < train_fraction < 1:
            raise InputError("--train-fraction 应在 0 与 1 之间 / must be between 0 and 1")
        train, test = stratified_split(labels, train_fraction, seed)
        model.learn_many((texts[i], (labels[i], None, None), titles[i]) for i in train if labels[i] in tax.level1)
    else:
        train, test = [], list(range(len(labels)))
    self_trained = model.self_train(zip(texts, titles)) if self_train and not train_fraction else 0
    among = sorted({labels[i] for i in train} & set(tax.level1))
    pred = [model.predict_level1(texts[i], titles[i], among=among or None) for i in test]
    out = scores([labels[i] for i in test], pred)
    out.update({"train_n": len(train), "mode": "learned" if train_fraction else "taxonomy_only",
                "unknown_labels": unknown, "restricted_to_trained_classes": bool(train),
                "self_trained_on": self_trained})
    return out
