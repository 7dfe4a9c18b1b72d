"""Routing classifier: suggest the taxonomy path (3 levels) for a case text.

Model: hierarchical multinomial naive Bayes.  Each class starts with
pseudo-counts from the hand-written lexicon (``lexicon.py``) plus the words
of its own taxonomy names, so the model works with no labelled data.
Dispatcher decisions (``learn``) add real counts incrementally.  For a batch
of texts ``predict_many(..., transductive=True)`` can also run a few EM
rounds over the unlabelled batch (seeded by the lexicon); it is off by
default because it did not help on our hand-labelled dev sample.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .lexicon import LEXICON, NEUTRAL
from .segment import STOPWORDS, Segmenter

__all__ = [
    "Taxonomy",
    "Suggestion",
    "RoutingModel",
    "ModelLoadError",
    "TaxonomyError",
]

OTHER = "其他"
FORMAT = "fengqiao.routing"
FORMAT_VERSION = 1
_GENERIC_NAME_WORDS = NEUTRAL | STOPWORDS | {OTHER, "管理", "问题", "其它", "建设", "政策", "服务", "工作"}


class TaxonomyError(ValueError):
    """The taxonomy file or rows are unusable."""


class ModelLoadError(RuntimeError):
    """A saved routing model is missing or unreadable (fall back to
    ``RoutingModel.from_taxonomy``)."""


# --------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------


@dataclass
class Taxonomy:
    """Three-level category tree; ``keywords`` maps a path to extra cue words."""

    paths: list[tuple[str, str, str]]
    keywords: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence]) -> "Taxonomy":
        """Rows of (l1, l2, l3[, keywords]); keywords separated by spaces,
        commas or 、."""
        paths: list[tuple[str, str, str]] = []
        seen = set()
        kws: dict[tuple[str, str, str], list[str]] = {}
        for row in rows:
            if row is None:
                continue
            row = list(row) + [None] * 4
            l1, l2, l3, kw = (str(x).strip() if x is not None else "" for x in row[:4])
            if not l1:
                continue
            l2 = l2 or OTHER
            l3 = l3 or OTHER
            p = (l1, l2, l3)
            if p not in seen:
                seen.add(p)
                paths.append(p)
            if kw and kw.lower() != "none":
                words = [w for w in re.split(r"[\s,，、;；/|]+", kw) if w]
                kws.setdefault(p, []).extend(words)
        if not paths:
            raise TaxonomyError("分类表为空 / taxonomy has no rows")
        return cls(paths, kws)

    @classmethod
    def from_xlsx(cls, path: str | os.PathLike) -> "Taxonomy":
        """Read columns 一级分类/二级分类/三级分类 (and optional 关键词)."""
        from .xlsx import read_table

        header, rows = read_table(path, required=("一级分类", "二级分类", "三级分类"))
        idx = [header.index(c) for c in ("一级分类", "二级分类", "三级分类")]
        kw = header.index("关键词") if "关键词" in header else None
        return cls.from_rows(
            [r[i] for i in idx] + [r[kw] if kw is not None else None] for r in rows
        )

    def to_rows(self) -> list[list[str]]:
        return [[*p, " ".join(self.keywords.get(p, []))] for p in self.paths]

    @property
    def level1(self) -> list[str]:
        out: list[str] = []
        for p in self.paths:
            if p[0] not in out:
                out.append(p[0])
        return out

    def children(self, *prefix: str) -> list[str]:
        n = len(prefix)
        out: list[str] = []
        for p in self.paths:
            if p[:n] == prefix and p[n] not in out:
                out.append(p[n])
        return out

    def names(self) -> set[str]:
        return {x for p in self.paths for x in p if x and x != OTHER}

    def __contains__(self, path) -> bool:
        return tuple(path) in set(self.paths)


@dataclass
class Suggestion:
    path: tuple[str, str, str]
    confidence: float
    reasons: list[str]

    def to_dict(self) -> dict:
        return {"path": list(self.path), "confidence": self.confidence, "reasons": self.reasons}


# --------------------------------------------------------------------------
# Naive Bayes node
# --------------------------------------------------------------------------


def _parse_words(spec: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for tok in spec.split():
        w = 1.0
        if tok.endswith("!"):
            tok, w = tok[:-1], 3.0
        elif tok.endswith("~"):
            tok, w = tok[:-1], 0.3
        if tok and tok not in NEUTRAL:
            out[tok] = max(out.get(tok, 0.0), w)
    return out


class _Node:
    """Multinomial NB over one set of sibling classes.

    P(w|c) = lam_c * P_lexicon(w|c) + (1 - lam_c) * P_learned(w|c) with
    lam_c = k / (k + n_c): the hand-written lexicon dominates until a class
    has seen a few dozen real decisions.
    """

    OPEN_VOCAB = 50000
    DIRICHLET = 300.0  # background pseudo-counts for learned distributions
    SEED_WEIGHT = 0.5  # lexicon share of the lexicon component
    BACKGROUND_PRIOR = 20000.0  # uniform pseudo-tokens in the background

    def __init__(self, classes: list[str], prior: dict[str, dict[str, float]],
                 prior_mass: float, alpha: float, shrink: float = 100.0, floor: float = 0.15):
        self.classes = classes
        self.alpha = alpha
        self.prior_mass = prior_mass
        self.shrink = shrink
        self.floor = floor
        # lexicon pseudo-counts, each class scaled to the same total mass so
        # words unknown to the lexicon carry no class bias
        self.prior: list[dict[str, float]] = []
        for c in classes:
            d = prior.get(c, {})
            tot = sum(d.values())
            scale = prior_mass / tot if tot else 0.0
            self.prior.append({w: v * scale for w, v in d.items()})
        self.counts: list[Counter] = [Counter() for _ in classes]
        self.docs = np.zeros(len(classes))
        self._cache = None

    def learn(self, ci: int, feats: dict[str, float], weight: float = 1.0) -> None:
        cnt = self.counts[ci]
        for w, v in feats.items():
            cnt[w] += v * weight
        self.docs[ci] += weight
        self._cache = None

    def vocab_matrices(self, vocab: dict[str, int] | None = None):
        """(vocab, lexicon counts (C,V), learned counts (C,V))."""
        vocab = {} if vocab is None else vocab
        for d in (*self.prior, *self.counts):
            for w in d:
                vocab.setdefault(w, len(vocab))
        C, V = len(self.classes), max(len(vocab), 1)
        P = np.zeros((C, V))
        L = np.zeros((C, V))
        for ci in range(C):
            for w, v in self.prior[ci].items():
                P[ci, vocab[w]] += v
            for w, v in self.counts[ci].items():
                L[ci, vocab[w]] += v
        return vocab, P, L

    def mix_logp(self, P: np.ndarray, L: np.ndarray, extra: np.ndarray | None = None,
                 extra_weight: float = 0.0):
        """Log P(w|c) for the vocabulary columns and for an unseen word.

        Every component is smoothed towards a shared background
        distribution (all learned and batch text), so words common to all
        classes do not favour the class with most data."""
        V, m = self.OPEN_VOCAB, self.DIRICHLET
        bgc = L.sum(0)
        if extra is not None and extra_weight > 0:
            bgc = bgc + extra.sum(0)
        B = self.BACKGROUND_PRIOR  # few learned texts must not reshape it
        bg = (bgc + B / V) / (bgc.sum() + B)
        ubg = (B / V) / (bgc.sum() + B)
        ptot = P.sum(1, keepdims=True)
        seed = np.divide(P, ptot, out=np.zeros_like(P), where=ptot > 0)
        mu = self.SEED_WEIGHT
        plex = mu * seed + (1 - mu) * bg
        ulex = np.full(len(self.classes), (1 - mu) * ubg)
        tot = L.sum(1, keepdims=True)
        plab = (L + m * bg) / (tot + m)
        ulab = m * ubg / (tot[:, 0] + m)
        lam = (self.floor + (1 - self.floor) * self.shrink / (self.shrink + self.docs))[:, None]
        prob = lam * plex + (1 - lam) * plab
        unk = lam[:, 0] * ulex + (1 - lam[:, 0]) * ulab
        if extra is not None and extra_weight > 0:
            etot = extra.sum(1, keepdims=True)
            pem = (extra + m * bg) / (etot + m)
            uem = m * ubg / (etot[:, 0] + m)
            prob = (1 - extra_weight) * prob + extra_weight * pem
            unk = (1 - extra_weight) * unk + extra_weight * uem
        return np.log(prob), np.log(unk)

    def log_class_prior(self, docs: np.ndarray | None = None, power: float = 0.5) -> np.ndarray:
        docs = self.docs if docs is None else docs
        n = docs.sum()
        lp = np.log((docs + 1.0) / (n + len(self.classes)))
        # damped, and only once there is real labelled data
        return lp * power * min(1.0, n / 50.0)

    def _tables(self):
        if self._cache is None:
            vocab, P, L = self.vocab_matrices()
            logp, unk = self.mix_logp(P, L)
            inv = {j: w for w, j in vocab.items()}
            self._cache = (vocab, logp, unk, self.log_class_prior(), inv)
        return self._cache

    def scores(self, feats: dict[str, float], bias: np.ndarray | None = None):
        """Log joint scores per class, with matched vocabulary columns."""
        vocab, logp, unk, logprior, _ = self._tables()
        s = logprior.copy()
        if bias is not None:
            s = s + bias
        idx, wts, unk_w = [], [], 0.0
        for w, v in feats.items():
            j = vocab.get(w)
            if j is None:
                unk_w += v
            else:
                idx.append(j)
                wts.append(v)
        if idx:
            s += logp[:, idx] @ np.asarray(wts)
        s += unk * unk_w
        return s, idx, wts

    def reasons(self, ci: int, idx: list[int], wts: list[float], n: int = 5) -> list[str]:
        """Words that most favour class ``ci`` over its best rival."""
        if not idx or len(self.classes) < 2:
            return []
        _, logp, _, _, inv = self._tables()
        sub = logp[:, idx]
        others = np.delete(sub, ci, axis=0)
        margin = (sub[ci] - others.max(axis=0)) * np.asarray(wts)
        order = np.argsort(-margin)[:n]
        return [inv[idx[j]] for j in order if margin[j] > 0.05]


def _softmax(x: np.ndarray, temp: float = 1.0) -> np.ndarray:
    z = (x - x.max()) / temp
    e = np.exp(z)
    return e / e.sum()


# --------------------------------------------------------------------------
# Routing model
# --------------------------------------------------------------------------


class RoutingModel:
    """Suggest taxonomy paths for case texts; learns from dispatcher decisions."""

    def __init__(self, taxonomy: Taxonomy, extra_words: Iterable[str] = (), *,
                 alpha: float = 0.02, prior_mass: float = 400.0, title_weight: float = 2.0,
                 version: int = 0, em_prior_power: float = 1.0, max_chars: int = 300):
        self.taxonomy = taxonomy
        self.extra_words = sorted({w for w in extra_words if w})
        self.alpha = alpha
        self.prior_mass = prior_mass
        self.title_weight = title_weight
        self.version = version
        self.em_prior_power = em_prior_power
        self.max_chars = max_chars
        self.learned: dict[tuple[str, str, str], Counter] = {}
        self.learned_docs: Counter = Counter()
        self._build()

    # ---- construction -------------------------------------------------
    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy, extra_words: Iterable[str] = (), **kw) -> "RoutingModel":
        """A working model from the taxonomy (and built-in lexicon) alone."""
        return cls(taxonomy, extra_words, **kw)

    @classmethod
    def retrain(cls, taxonomy: Taxonomy, labelled_examples: Iterable[tuple[str, Sequence[str]]],
                extra_words: Iterable[str] = (), **kw) -> "RoutingModel":
        """Fresh model from the taxonomy plus (text, path) examples."""
        m = cls(taxonomy, extra_words, **kw)
        m.learn_many(labelled_examples)
        return m

    def _name_words(self, name: str) -> dict[str, float]:
        out: dict[str, float] = {}
        if not name or name == OTHER:
            return out
        if len(name) >= 2 and name not in _GENERIC_NAME_WORDS:
            out[name] = 2.0
        for w in self.segmenter(name, normalized=True):
            if len(w) >= 2 and w not in _GENERIC_NAME_WORDS:
                out[w] = max(out.get(w, 0.0), 1.0)
        return out

    def _build(self) -> None:
        tax = self.taxonomy
        lex_words = set()
        for l1 in LEXICON.values():
            for spec in l1.values():
                lex_words.update(_parse_words(spec))
        kw_words = {w for ws in tax.keywords.values() for w in ws}
        self.segmenter = Segmenter(extra_words=sorted(lex_words | tax.names() | kw_words | set(self.extra_words)))

        def merge(dst: dict[str, float], src: dict[str, float], f: float = 1.0) -> None:
            for w, v in src.items():
                dst[w] = max(dst.get(w, 0.0), v * f)

        p1: dict[str, dict[str, float]] = defaultdict(dict)
        p2: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        p3: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
        for l1 in tax.level1:
            lex = LEXICON.get(l1, {})
            merge(p1[l1], _parse_words(lex.get("*", "")))
            merge(p1[l1], self._name_words(l1))
            for l2 in tax.children(l1):
                l2words = _parse_words(lex.get(l2, ""))
                merge(l2words, self._name_words(l2))
                merge(p2[(l1, l2)], l2words)
                merge(p1[l1], l2words, 0.5)
                for l3 in tax.children(l1, l2):
                    path = (l1, l2, l3)
                    w3 = self._name_words(l3)
                    for k in tax.keywords.get(path, []):
                        w3[k] = 3.0
                    merge(p3[path], w3)
                    merge(p2[(l1, l2)], w3, 0.5)
                    merge(p1[l1], w3, 0.3)
        self.root = _Node(tax.level1, p1, self.prior_mass, self.alpha)
        self.nodes2 = {
            l1: _Node(tax.children(l1), {l2: p2[(l1, l2)] for l2 in tax.children(l1)},
                      self.prior_mass / 2, self.alpha)
            for l1 in tax.level1
        }
        self.nodes3 = {
            (l1, l2): _Node(tax.children(l1, l2), {l3: p3[(l1, l2, l3)] for l3 in tax.children(l1, l2)},
                            self.prior_mass / 4, self.alpha)
            for l1 in tax.level1 for l2 in tax.children(l1)
        }
        # tie-break towards "其他" when a level has no evidence at all
        self._other_bias = {}
        for key, node in [*self.nodes2.items(), *self.nodes3.items()]:
            b = np.zeros(len(node.classes))
            if OTHER in node.classes:
                b[node.classes.index(OTHER)] = 0.05
            self._other_bias[key] = b
        # replay learned counts (after load)
        for path, cnt in self.learned.items():
            self._apply(path, dict(cnt), self.learned_docs[path])

    # ---- features -----------------------------------------------------
    def features(self, text: str, title: str | None = None) -> dict[str, float]:
        """Sub-linear term weights of the segmented text (title counts extra).

        Only the first ``max_chars`` characters are read: the opening of a
        petition names the matter, and it bounds the latency."""
        if text and len(text) > self.max_chars:
            text = text[: self.max_chars]
        tf: Counter = Counter(self.segmenter(text))
        if title:
            for w in self.segmenter(title):
                tf[w] += self.title_weight
        return {w: 1.0 + math.log(c) if c >= 1 else c for w, c in tf.items()}

    # ---- learning -----------------------------------------------------
    def _resolve(self, path: Sequence[str | None]) -> tuple[str, str, str]:
        p = [str(x).strip() if x else "" for x in list(path)[:3]] + ["", "", ""]
        l1, l2, l3 = p[:3]
        if l1 not in self.nodes2:
            raise KeyError(f"未知分类 / unknown category: {l1!r}")
        if l2 and l2 not in self.nodes2[l1].classes:
            raise KeyError(f"未知分类 / unknown category: {l1}/{l2}")
        if l3 and (not l2 or l3 not in self.nodes3[(l1, l2)].classes):
            raise KeyError(f"未知分类 / unknown category: {l1}/{l2}/{l3}")
        return (l1, l2, l3)

    def _apply(self, path: tuple[str, str, str], feats: dict[str, float], weight: float) -> None:
        l1, l2, l3 = path
        self.root.learn(self.root.classes.index(l1), feats, weight)
        if l2:
            n2 = self.nodes2[l1]
            n2.learn(n2.classes.index(l2), feats, weight)
            if l3:
                n3 = self.nodes3[(l1, l2)]
                n3.learn(n3.classes.index(l3), feats, weight)

    def learn(self, text: str, path: Sequence[str | None], *, title: str | None = None,
              weight: float = 1.0) -> None:
        """Update from one dispatcher decision (confirmed or corrected path;
        l2/l3 may be None)."""
        p = self._resolve(path)
        feats = self.features(text, title)
        cnt = self.learned.setdefault(p, Counter())
        for w, v in feats.items():
            cnt[w] += v * weight
        self.learned_docs[p] += weight
        self._apply(p, feats, weight)

    def learn_many(self, examples: Iterable[tuple[str, Sequence[str | None]]]) -> int:
        n = 0
        for text, path in examples:
            self.learn(text, path)
            n += 1
        return n

    # ---- prediction ---------------------------------------------------
    def _temperature(self, feats: dict[str, float]) -> float:
        # NB log-odds grow with text length; soften them for a usable confidence
        return max(1.0, math.sqrt(sum(feats.values())))

    def _suggest(self, feats: dict[str, float], p1: np.ndarray, idx, wts, k: int) -> list[Suggestion]:
        order = np.argsort(-p1)
        out: list[tuple[float, tuple[str, str, str], list[str]]] = []
        temp = self._temperature(feats)
        for rank, ci in enumerate(order[: max(k, 1)]):
            l1 = self.root.classes[ci]
            reasons1 = self.root.reasons(int(ci), idx, wts)
            n2 = self.nodes2[l1]
            s2, i2, w2 = n2.scores(feats, self._other_bias[l1])
            p2 = _softmax(s2, temp)
            for cj in np.argsort(-p2)[: max(1, k - rank)]:
                l2 = n2.classes[cj]
                n3 = self.nodes3[(l1, l2)]
                s3, _, _ = n3.scores(feats, self._other_bias[(l1, l2)])
                p3 = _softmax(s3, temp)
                ck = int(np.argmax(p3))
                conf = float(p1[ci] * (0.5 + 0.5 * p2[cj]) * (0.7 + 0.3 * p3[ck]))
                reasons = list(dict.fromkeys(reasons1 + n2.reasons(int(cj), i2, w2, 3)))[:6]
                out.append((conf, (l1, l2, n3.classes[ck]), reasons))
        # the best first-level class always leads
        first = out[0]
        rest = sorted(out[1:], key=lambda t: -t[0])
        res = [first] + rest
        return [Suggestion(p, round(min(1.0, max(0.0, c)), 4), r) for c, p, r in res[:k]]

    def predict(self, text: str, k: int = 3, *, title: str | None = None) -> list[Suggestion]:
        """Top-``k`` suggestions, best first."""
        feats = self.features(text, title)
        s1, idx, wts = self.root.scores(feats)
        p1 = _softmax(s1, self._temperature(feats))
        return self._suggest(feats, p1, idx, wts, k)

    def predict_level1(self, text: str, title: str | None = None) -> str:
        feats = self.features(text, title)
        s1, _, _ = self.root.scores(feats)
        return self.root.classes[int(np.argmax(s1))]

    def predict_many(self, texts: Sequence[str], k: int = 3, *, titles: Sequence[str | None] | None = None,
                     transductive: bool = False, rounds: int = 4, unlabeled_weight: float = 0.3) -> list[list[Suggestion]]:
        """Predict a batch.  With ``transductive`` the unlabelled batch itself
        refines the first-level word distributions by EM (off by default: on
        our dev samples it did not beat the lexicon-only model)."""
        titles = list(titles) if titles is not None else [None] * len(texts)
        feats = [self.features(t, ti) for t, ti in zip(texts, titles)]
        if transductive and len(texts) >= 20:
            post = self._em(feats, rounds, unlabeled_weight)
        else:
            post = None
        out = []
        for i, f in enumerate(feats):
            s1, idx, wts = self.root.scores(f)
            p1 = _softmax(s1, self._temperature(f)) if post is None else post[i]
            out.append(self._suggest(f, p1, idx, wts, k))
        return out

    def _em(self, feats: list[dict[str, float]], rounds: int, lam: float) -> np.ndarray:
        """EM over the batch at the first level; returns posteriors (n, C).

        The batch's soft counts form a third mixture component (weight
        ``lam``) next to the lexicon and the learned counts, so the seed
        lexicon keeps anchoring the classes."""
        from scipy import sparse

        node = self.root
        vocab, P, L = node.vocab_matrices()
        rows, cols, vals = [], [], []
        for i, f in enumerate(feats):
            for w, v in f.items():
                j = vocab.setdefault(w, len(vocab))
                rows.append(i)
                cols.append(j)
                vals.append(v)
        n, V, C = len(feats), len(vocab), len(node.classes)
        X = sparse.csr_matrix((vals, (rows, cols)), shape=(n, V))
        pad = V - P.shape[1]
        if pad:
            P = np.hstack([P, np.zeros((C, pad))])
            L = np.hstack([L, np.zeros((C, pad))])
        temps = np.sqrt(np.asarray(X.sum(1)).ravel()).clip(1.0)[:, None]
        logp, unk = node.mix_logp(P, L)
        logprior = node.log_class_prior()
        R = None
        for it in range(rounds + 1):
            S = np.asarray(X @ logp.T) + logprior
            Z = (S - S.max(1, keepdims=True)) / (temps if it == rounds else 1.0)
            R = np.exp(Z)
            R /= R.sum(1, keepdims=True)
            if it == rounds:
                break
            E = np.asarray((X.T @ R).T)  # soft counts (C, V)
            logp, unk = node.mix_logp(P, L, E, lam)
            docs = R.sum(0) + node.docs
            logprior = np.log((docs + 1.0) / (docs.sum() + C)) * self.em_prior_power
        return R

    # ---- persistence --------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "params": {"alpha": self.alpha, "prior_mass": self.prior_mass, "title_weight": self.title_weight,
                       "max_chars": self.max_chars},
            "taxonomy": self.taxonomy.to_rows(),
            "extra_words": self.extra_words,
            "learned": [
                {"path": list(p), "docs": self.learned_docs[p], "words": dict(c)}
                for p, c in self.learned.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "RoutingModel":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelLoadError("不是分流模型文件 / not a routing model file")
        if data.get("format_version", 0) > FORMAT_VERSION:
            raise ModelLoadError("模型文件版本过新 / model file format is newer than this code")
        tax = Taxonomy.from_rows(data["taxonomy"])
        m = cls(tax, data.get("extra_words", ()), version=int(data.get("version", 0)), **data.get("params", {}))
        for item in data.get("learned", []):
            p = m._resolve(item["path"])
            cnt = Counter({w: float(v) for w, v in item["words"].items()})
            m.learned[p] = cnt
            m.learned_docs[p] = float(item["docs"])
            m._apply(p, dict(cnt), float(item["docs"]))
        return m

    def save(self, directory: str | os.PathLike) -> int:
        """Write ``routing-v{n}.json.gz`` and point ``current`` at it; returns n."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        existing = [int(m.group(1)) for f in d.iterdir() if (m := re.fullmatch(r"routing-v(\d+)\.json\.gz", f.name))]
        self.version = max(existing + [self.version, 0]) + 1
        name = f"routing-v{self.version}.json.gz"
        payload = gzip.compress(json.dumps(self.to_dict(), ensure_ascii=False).encode("utf-8"))
        _atomic_write(d / name, payload)
        _atomic_write(d / "current", (name + "\n").encode())
        return self.version

    @classmethod
    def load(cls, directory: str | os.PathLike, version: int | None = None) -> "RoutingModel":
        """Load the current (or a given) version; raises ``ModelLoadError``."""
        d = Path(directory)
        try:
            if version is None:
                name = (d / "current").read_text(encoding="utf-8").strip()
            else:
                name = f"routing-v{int(version)}.json.gz"
            if not re.fullmatch(r"routing-v\d+\.json\.gz", name):
                raise ModelLoadError(f"模型指针无效 / bad model pointer: {name!r}")
            data = json.loads(gzip.decompress((d / name).read_bytes()).decode("utf-8"))
        except ModelLoadError:
            raise
        except FileNotFoundError as e:
            raise ModelLoadError(f"找不到分流模型 / routing model not found: {e.filename}") from e
        except (OSError, EOFError, ValueError, UnicodeDecodeError) as e:
            raise ModelLoadError(f"分流模型文件损坏 / routing model file is corrupt: {e}") from e
        try:
            return cls.from_dict(data)
        except ModelLoadError:
            raise
        except (KeyError, TypeError, ValueError, TaxonomyError) as e:
            raise ModelLoadError(f"分流模型文件损坏 / routing model file is corrupt: {e}") from e


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
