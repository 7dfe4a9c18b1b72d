"""Routing classifier: suggest the taxonomy path (3 levels) for a case text.

First level: with no labelled data, a multinomial naive Bayes whose
pseudo-counts come from the hand-written lexicon (``lexicon.py``) and the
words of the taxonomy names.  Once dispatcher decisions arrive (``learn``),
a softmax regression over character 1-3 grams and jieba words takes over;
the lexicon's log-probabilities are one of its inputs, with a learned
scale, so with a handful of decisions the lexicon still decides and with
thousands the learned weights dominate.  ``learn`` is cheap (store the
example, one gradient step); a full refit runs when the stored examples
have grown by a quarter, and on ``refit``/``save``.  Saved models keep the
learned weights (not the texts); after loading, further refits are pulled
towards the saved weights.

Once decisions exist, the first-level answer blends the learned head with
the naive Bayes root (``NB_BLEND``).  From the table alone, the most probable
(first, second) pair decides the first level.  Confidences are probabilities:
the first- and second-level log-odds scales were fitted on labelled board
messages (``ROOT_SHARPNESS``, ``L2_SHARPNESS``).  Matters that category tables file in
different places (``lexicon.CONCEPTS``) follow the deployment's own table.

Second and third levels: hierarchical naive Bayes nodes (lexicon counts
blended with learned counts).

Before any decisions, ``self_train`` adapts the model to a deployment's own
wording from unlabelled cases: each case that the table-only model places
at first level with probability >= 0.7 is learned as a half-weight
decision (first level only).  On our 7,021 labelled board messages this
raised first-level accuracy from 0.820 to 0.824; on the 5,681 of the seven
common classes, from 0.879 to 0.889 (macro-F1 0.827 -> 0.841).  Second-level
accuracy did not change, and once half the cases carried real decisions,
pseudo-labels for the rest added nothing (macro-F1 0.886 -> 0.887), so it
is a cold-start step.  The self-taught head's log-odds are scaled by
``SELF_TRAINED_SHARPNESS`` (by their share of its examples): unscaled, its
mean confidence was 0.76 against 0.66 right; scaled, 0.66.
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
from functools import lru_cache
from operator import itemgetter
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .leafwords import LEAF_WORDS
from .lexicon import ALIASES, CONCEPTS, LEVEL1_PRIOR, LEXICON, NEUTRAL
from .normalize import normalize
from .segment import STOPWORDS, Segmenter, inner_words

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
        if tok.endswith("!!"):
            tok, w = tok[:-2], 9.0
        elif tok.endswith("!"):
            tok, w = tok[:-1], 3.0
        elif tok.endswith("~"):
            tok, w = tok[:-1], 0.3
        if tok and tok not in NEUTRAL:
            out[tok] = max(out.get(tok, 0.0), w)
    return out


@lru_cache(maxsize=1)
def builtin_cue_words() -> frozenset[str]:
    """Every cue word of the built-in lexicon (first and second levels,
    concepts, third-level words)."""
    words: set[str] = set()
    specs = [spec for l1 in LEXICON.values() for spec in l1.values()]
    specs += [spec for _, spec in CONCEPTS.values()] + list(LEAF_WORDS.values())
    for spec in specs:
        words.update(_parse_words(spec))
    return frozenset(words)


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
                 shrink: float = 100.0, floor: float = 0.15, lex_vocab: int = OPEN_VOCAB):
        self.classes = classes
        self.lex_vocab = lex_vocab
        self.shrink = shrink
        self.floor = floor
        # lexicon pseudo-counts; each class's are normalised to a distribution
        # in ``mix_logp``, so words unknown to the lexicon carry no class bias
        self.prior: list[dict[str, float]] = [dict(prior.get(c, {})) for c in classes]
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
        # the lexicon is smoothed towards a background over ``lex_vocab``
        # words: the smaller, the more a listed word weighs by its strength
        # rather than by being listed at all
        lbg = (bgc + B / self.lex_vocab) / (bgc.sum() + B)
        ulbg = (B / self.lex_vocab) / (bgc.sum() + B)
        plex = mu * seed + (1 - mu) * lbg
        ulex = np.full(len(self.classes), (1 - mu) * ulbg)
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


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max()
    return z - math.log(float(np.exp(z).sum()))


def _softmax(x: np.ndarray, temp: float = 1.0) -> np.ndarray:
    z = (x - x.max()) / temp
    e = np.exp(z)
    return e / e.sum()



# --------------------------------------------------------------------------
# Learned first-level head: multinomial logistic regression
# --------------------------------------------------------------------------

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _char_grams(text: str, weight: float, tf: Counter) -> None:
    """Character 1-3 grams inside runs of Chinese characters."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(_PLACE_CODE_RE.sub(" ", text)):
        grams.extend(run)
        grams.extend([run[i:i + 2] for i in range(len(run) - 1)])
        grams.extend([run[i:i + 3] for i in range(len(run) - 2)])
    if weight == 1.0:
        tf.update(grams)
    else:
        for w, c in Counter(grams).items():
            tf[w] += c * weight


_PLACE_CODE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}[市区县]")


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    # einsum: a BLAS dot can be slow under thread contention
    return float(np.einsum("i,i->", x, y))


def _lbfgs(fg, x, iters: int, mem: int = 8, tol: float = 1e-6) -> np.ndarray:
    """Minimise a smooth function (limited-memory BFGS, backtracking line
    search); ``fg(x)`` returns (value, gradient)."""
    f, g = fg(x)
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    for _ in range(iters):
        q = g.copy()
        alphas = []
        for s_, y_ in zip(reversed(S), reversed(Y)):
            rho = 1.0 / _dot(y_, s_)
            a_ = rho * _dot(s_, q)
            q -= a_ * y_
            alphas.append((rho, a_))
        if S:
            q *= _dot(S[-1], Y[-1]) / _dot(Y[-1], Y[-1])
        else:
            q /= max(1.0, float(np.abs(g).max()))
        for (s_, y_), (rho, a_) in zip(zip(S, Y), reversed(alphas)):
            b_ = rho * _dot(y_, q)
            q += (a_ - b_) * s_
        d = -q
        gd = _dot(g, d)
        if gd >= 0:
            d, gd = -g, -_dot(g, g)
            S.clear()
            Y.clear()
        t = 1.0
        while True:
            xn = x + t * d
            fn, gn = fg(xn)
            if fn <= f + 1e-4 * t * gd or t < 1e-8:
                break
            t *= 0.5
        s_, y_ = xn - x, gn - g
        if _dot(s_, y_) > 1e-10:
            S.append(s_)
            Y.append(y_)
            if len(S) > mem:
                S.pop(0)
                Y.pop(0)
        done = abs(f - fn) <= tol * max(1.0, abs(f))
        x, f, g = xn, fn, gn
        if done:
            break
    return x


class _LinearHead:
    """Softmax regression over first-level classes.

    Input: sub-linear, idf-weighted, L2-normalised character 1-3 grams and
    jieba words, plus the lexicon's per-class log-probabilities as one
    extra feature with a learned scale.  So with few decisions the lexicon
    decides; with many, the learned weights take over.  ``learn`` stores the
    example and takes one cheap gradient step; a full refit (L-BFGS over
    all stored examples, L2 pulled towards the previously saved weights)
    runs inside ``learn`` whenever the stored examples have grown by a quarter (so
    ``predict`` stays fast), and on ``RoutingModel.refit``/``save``.
    """

    C = 16.0  # inverse regularisation (per example)
    REFIT_GROWTH = 0.25
    MIN_DF = 2
    MAX_VOCAB = 50000
    LR_STEP = 0.5
    MAX_ITER = 100
    ANCHOR = 1.0  # stiffness of the pull towards loaded weights
    BALANCE_POWER = 0.5  # class weights (mean count / class count) ** power

    def __init__(self, classes: list[str]):
        self.classes = classes
        self.K = len(classes)
        # (vocabulary, idf, weights, biases, lexicon scale), swapped as one
        # tuple so a prediction running next to a refit sees one version
        self._p: tuple = ({}, np.zeros(0), np.zeros((0, self.K)), np.zeros(self.K), 1.0)
        self.W0 = np.zeros((0, self.K))  # anchor (weights loaded from disk)
        self.b0 = np.zeros(self.K)
        self.a0 = 1.0
        self.n0 = 0.0  # how many examples the anchor stands for
        self.examples: list[tuple[Counter, np.ndarray, int, float]] = []
        self.fitted_n = 0
        self.class_n = np.zeros(self.K)

    vocab = property(lambda self: self._p[0])
    idf = property(lambda self: self._p[1])
    W = property(lambda self: self._p[2])
    b = property(lambda self: self._p[3])
    a = property(lambda self: self._p[4])

    @property
    def n(self) -> float:
        return len(self.examples) + self.n0

    @property
    def active(self) -> bool:
        return self.n > 0

    def _vector(self, tf: Counter, vocab: dict | None = None, idf: np.ndarray | None = None):
        if vocab is None:
            vocab, idf = self._p[0], self._p[1]
        keys = list(tf)
        js = list(map(vocab.get, keys))
        pairs = [(j, tf[k]) for j, k in zip(js, keys) if j is not None]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter((j for j, _ in pairs), dtype=np.int64, count=len(pairs))
        c = np.fromiter((c for _, c in pairs), dtype=float, count=len(pairs))
        v = np.where(c >= 1.0, 1.0 + np.log(np.maximum(c, 1.0)), c) * idf[idx]
        v /= math.sqrt(float(np.einsum("i,i->", v, v))) or 1.0
        return idx, v

    def logits(self, tf: Counter, lex: np.ndarray) -> np.ndarray:
        vocab, idf, W, b, a = self._p
        idx, v = self._vector(tf, vocab, idf)
        z = b + a * lex
        if len(idx):
            z = z + v @ W[idx]
        return z

    def learn(self, tf: Counter, lex: np.ndarray, ci: int, weight: float = 1.0) -> None:
        self.examples.append((tf, lex, ci, weight))
        self.class_n[ci] += weight
        # one SGD step so the decision counts at once
        vocab, idf, W, b, a = self._p
        idx, v = self._vector(tf, vocab, idf)
        z = b + a * lex + (v @ W[idx] if len(idx) else 0.0)
        g = _softmax(z)
        g[ci] -= 1.0
        step = self.LR_STEP * weight
        if len(idx):
            W[idx] -= step * np.outer(v, g)
        b -= step * 0.1 * g

    def needs_refit(self) -> bool:
        m = len(self.examples)
        return m > 0 and m - self.fitted_n >= max(1.0, self.REFIT_GROWTH * self.fitted_n)

    def refit(self) -> None:
        from scipy import sparse

        ex = self.examples
        if not ex:
            return
        # vocabulary: the saved one plus features seen in MIN_DF examples
        df: Counter = Counter()
        for tf, _, _, _ in ex:
            df.update(tf.keys())
        m = len(ex)
        vocab = dict(self.vocab)
        new = [w for w, c in df.items() if c >= self.MIN_DF and w not in vocab]
        room = self.MAX_VOCAB - len(vocab)
        if len(new) > room:
            new = sorted(new, key=lambda w: -df[w])[: max(room, 0)]
        old_v = len(vocab)
        for w in new:
            vocab[w] = len(vocab)
        V = len(vocab)
        # idf over the stored examples; after a load the saved features keep
        # their saved idf (their weights were fitted with it)
        idf = np.ones(V)
        keep = old_v if self.n0 > 0 and len(self.idf) >= old_v else 0
        idf[:keep] = self.idf[:keep]
        for w, j in vocab.items():
            if j >= keep:
                idf[j] = math.log((1.0 + m) / (1.0 + df.get(w, 0))) + 1.0
        W_start = self.W
        pad = V - W_start.shape[0]
        if pad > 0:
            W_start = np.vstack([W_start, np.zeros((pad, self.K))])
        pad0 = V - self.W0.shape[0]
        if pad0 > 0:
            self.W0 = np.vstack([self.W0, np.zeros((pad0, self.K))])
        rows, cols, vals = [], [], []
        L = np.zeros((m, self.K))
        y = np.zeros(m, dtype=np.int64)
        sw = np.zeros(m)
        for i, (tf, lex, ci, w) in enumerate(ex):
            idx, v = self._vector(tf, vocab, idf)
            rows.extend([i] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(v.tolist())
            L[i] = lex
            y[i] = ci
            sw[i] = w
        X = sparse.csr_matrix((vals, (rows, cols)), shape=(m, V))
        # class balancing (damped) so small classes are not swallowed
        cn = np.bincount(y, weights=sw, minlength=self.K)
        present = cn > 0
        bal = np.ones(self.K)
        bal[present] = (cn[present].mean() / cn[present]) ** self.BALANCE_POWER
        sw = sw * bal[y]
        sw = sw * (m / sw.sum())
        Y = np.zeros((m, self.K))
        Y[np.arange(m), y] = 1.0
        # the saved weights stand for n0 earlier examples: new examples are
        # weighed against a stiffness that grows with n0
        tot_n = m + self.n0
        lam = 1.0 / (self.C * tot_n) + self.ANCHOR * self.n0 / tot_n
        lam_b = lam
        W0, b0, a0 = self.W0, self.b0, self.a0
        K = self.K

        def fg(theta):
            W = theta[: V * K].reshape(V, K)
            b = theta[V * K: V * K + K]
            a = theta[-1]
            Z = X @ W + b + a * L
            Z -= Z.max(1, keepdims=True)
            E = np.exp(Z)
            S = E.sum(1, keepdims=True)
            P = E / S
            logp = Z - np.log(S)
            f = -(sw * logp[np.arange(m), y]).sum() / tot_n
            D = (P - Y) * (sw[:, None] / tot_n)
            gW = X.T @ D
            dW = W - W0
            db = b - b0
            f += 0.5 * lam * (dW * dW).sum() + 0.5 * lam_b * (db @ db) + 0.5 * lam * 10 * (a - a0) ** 2
            gW = gW + lam * dW
            gb = D.sum(0) + lam_b * db
            ga = (D * L).sum() + lam * 10 * (a - a0)
            return f, np.concatenate([np.asarray(gW).ravel(), gb, [ga]])

        theta0 = np.concatenate([W_start.ravel(), self.b, [self.a]])
        th = _lbfgs(fg, theta0, self.MAX_ITER)
        self._p = (vocab, idf, th[: V * K].reshape(V, K).copy(), th[V * K: V * K + K].copy(), float(th[-1]))
        self.fitted_n = m

    # ---- persistence (weights only; examples stay in memory) ----------
    def to_dict(self) -> dict:
        import base64

        inv = sorted(self.vocab, key=self.vocab.get)
        return {
            "classes": self.classes,
            "vocab": inv,
            "idf": base64.b64encode(self.idf.astype("<f4").tobytes()).decode(),
            "W": base64.b64encode(self.W.astype("<f2").tobytes()).decode(),
            "b": self.b.tolist(),
            "a": self.a,
            "n": self.n,
            "class_n": self.class_n.tolist(),
        }

    def load_dict(self, d: dict) -> None:
        import base64

        if list(d.get("classes", [])) != self.classes:
            return  # taxonomy changed: start the head afresh
        vocab = list(d["vocab"])
        V = len(vocab)
        idf = np.frombuffer(base64.b64decode(d["idf"]), dtype="<f4").astype(float)[:V]
        W = np.frombuffer(base64.b64decode(d["W"]), dtype="<f2").astype(float)
        W = W.reshape(V, self.K) if V else np.zeros((0, self.K))
        self.W0 = W.copy()
        self.b0 = np.asarray(d["b"], dtype=float)
        self.a0 = float(d["a"])
        self._p = ({w: j for j, w in enumerate(vocab)}, idf, W, self.b0.copy(), self.a0)
        self.n0 = float(d["n"])
        self.class_n = np.asarray(d.get("class_n", [0] * self.K), dtype=float)

# --------------------------------------------------------------------------
# Routing model
# --------------------------------------------------------------------------


class RoutingModel:
    """Suggest taxonomy paths for case texts; learns from dispatcher decisions."""

    NB_BLEND = 0.2  # share of the naive Bayes root once the learned head is active
    # first level: a flat lexicon background, so that context words common in
    # one department's matters (小区, 施工) do not outvote a strong cue of another
    ROOT_LEX_VOCAB = 5000
    # first-level log-odds scale: fitted (one scalar, by log-likelihood) on a
    # labelled sample so that a shown confidence of 0.8 is right about 80% of the time
    ROOT_SHARPNESS = 2.5
    L2_SHARPNESS = 1.5  # the same for the second level, given the first
    # a head taught only by ``self_train`` is surer than it is right; its
    # log-odds are scaled by this (fitted like ROOT_SHARPNESS), fading to 1 as
    # dispatcher decisions outnumber the self-taught labels
    SELF_TRAINED_SHARPNESS = 0.35
    PAIR_CANDIDATES = 3  # first-level classes whose best (first, second) pair competes for the lead
    SUBWORD_WEIGHT = 0.3  # weight of a dictionary word found inside a longer token

    def __init__(self, taxonomy: Taxonomy, extra_words: Iterable[str] = (), *,
                 title_weight: float = 2.0,
                 version: int = 0, max_chars: int = 600,
                 head_chars: int = 1000, hmm: bool = True, level1_prior: dict[str, float] | None = None):
        self.taxonomy = taxonomy
        self.extra_words = sorted({w for w in extra_words if w})
        self.title_weight = title_weight
        self.version = version
        self.max_chars = max_chars
        self.head_chars = head_chars
        self.hmm = hmm
        self.level1_prior = level1_prior
        self.learned: dict[tuple[str, str, str], Counter] = {}
        self.learned_docs: Counter = Counter()
        self.self_trained_n = 0  # head examples that ``self_train`` labelled
        self._build()

    # ---- construction -------------------------------------------------
    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy, extra_words: Iterable[str] = (), **kw) -> "RoutingModel":
        """A working model from the taxonomy (and built-in lexicon) alone."""
        return cls(taxonomy, extra_words, **kw)

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

    @staticmethod
    def _alias_words(l1: str, l2: str) -> dict[str, float]:
        """A lexicon first level's words ("*" and, at half weight, its second
        levels'), or one second level's list."""
        lex = LEXICON.get(l1, {})
        if l2 != "*":
            return _parse_words(lex.get(l2, ""))
        out = _parse_words(lex.get("*", ""))
        for name, spec in lex.items():
            if name == "*":
                continue
            for w, v in _parse_words(spec).items():
                out[w] = max(out.get(w, 0.0), v * 0.5)
        return out

    def _name_parts(self, name: str) -> dict[str, float]:
        """The words inside a category name (search mode): a table's names
        are in the dictionary whole, yet a county's own 医疗保险报销 must still
        teach 报销.  Used only for names the built-in words do not describe
        (for the names they do describe, inner words only add noise)."""
        if not name or name == OTHER:
            return {}
        whole = self._name_words(name)
        return {w: 1.0 for w in inner_words(name) if w not in whole and w not in _GENERIC_NAME_WORDS}

    def _concept_places(self) -> list[tuple[tuple[str, str, str], dict[str, float]]]:
        """Where each ``lexicon.CONCEPTS`` entry goes in this taxonomy:
        every path naming it at the third (else second) level; its home
        first-level class when the taxonomy does not name it."""
        tax = self.taxonomy
        out = []
        for name, (home, spec) in CONCEPTS.items():
            words = _parse_words(spec)
            at3 = [p for p in tax.paths if p[2] == name]
            at2 = list(dict.fromkeys((p[0], p[1], "") for p in tax.paths if p[1] == name))
            places = at3 or at2 or ([(home, "", "")] if home in tax.level1 else [])
            out.extend((p, words) for p in places)
        return out

    def _build(self) -> None:
        tax = self.taxonomy
        lex_words = builtin_cue_words()
        kw_paths: dict[str, set] = defaultdict(set)
        for path, ws in tax.keywords.items():
            for w in ws:
                kw_paths[w].add(path)
        kw_words = set(kw_paths)
        self.segmenter = Segmenter(extra_words=sorted(lex_words | tax.names() | kw_words | set(self.extra_words)),
                                   hmm=self.hmm)

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
            if not lex and l1 in ALIASES:  # a first level the lexicon knows by another name
                merge(p1[l1], self._alias_words(*ALIASES[l1]))
            for l2 in tax.children(l1):
                l2words = _parse_words(lex.get(l2, ""))
                merge(l2words, self._name_words(l2))
                if l2 not in lex:  # a name the built-in lexicon does not know: its inner words too
                    merge(l2words, self._name_parts(l2))
                merge(p2[(l1, l2)], l2words)
                merge(p1[l1], l2words, 0.5)
                for l3 in tax.children(l1, l2):
                    path = (l1, l2, l3)
                    w3 = self._name_words(l3)
                    # built-in words the table's own 关键词 column files elsewhere yield
                    merge(w3, {w: v for w, v in _parse_words(LEAF_WORDS.get(path, "")).items()
                               if w not in kw_words or path in kw_paths[w]})
                    if path not in LEAF_WORDS:
                        # a third level the built-in words do not describe: its inner
                        # words, and the lexicon's list for a second level of that name
                        merge(w3, self._name_parts(l3))
                        if l3 != l2:
                            merge(w3, _parse_words(lex.get(l3, "")))
                    for k in tax.keywords.get(path, []):
                        w3[k] = 3.0
                    merge(p3[path], w3)
                    merge(p2[(l1, l2)], w3, 0.5)
                    merge(p1[l1], w3, 0.3)
        for path, words in self._concept_places():
            l1, l2, l3 = path
            if l3:
                merge(p3[path], words, 0.5)  # third-level nodes stay quick to learn
            if l2:
                merge(p2[(l1, l2)], words)
            merge(p1[l1], words)
        self.root = _Node(tax.level1, p1, lex_vocab=self.ROOT_LEX_VOCAB)
        self._lex_root = _Node(tax.level1, p1, lex_vocab=self.ROOT_LEX_VOCAB)  # never learns
        self.set_level1_prior(self.level1_prior)
        self.head = _LinearHead(list(tax.level1))
        self.nodes2 = {
            l1: _Node(tax.children(l1), {l2: p2[(l1, l2)] for l2 in tax.children(l1)})
            for l1 in tax.level1
        }
        self.nodes3 = {
            (l1, l2): _Node(tax.children(l1, l2), {l3: p3[(l1, l2, l3)] for l3 in tax.children(l1, l2)},
                            shrink=30.0)  # corrections take hold quickly
            for l1 in tax.level1 for l2 in tax.children(l1)
        }
        self._leaf_prior = {l1: np.log([len(tax.children(l1, l2)) for l2 in self.nodes2[l1].classes])
                            for l1 in tax.level1}
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

    def set_level1_prior(self, prior: dict[str, float] | None) -> None:
        """Set the first-level prior log-odds (None: ``lexicon.LEVEL1_PRIOR``,
        where classes rarely raised on a city board need clear cues to win)."""
        self.level1_prior = dict(LEVEL1_PRIOR if prior is None else prior)
        self._l1_bias = np.array([float(self.level1_prior.get(c, 0.0)) for c in self.taxonomy.level1])

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
        feats = {w: 1.0 + math.log(c) if c >= 1 else c for w, c in tf.items()}
        # the dictionary words inside long tokens count a little too: 未发工资
        # is cut as 未/发工资, and 工资 is what a category table names
        inner: dict[str, float] = {}
        for w, v in feats.items():
            if len(w) >= 3:
                for part in inner_words(w):
                    if part not in feats:
                        inner[part] = max(inner.get(part, 0.0), self.SUBWORD_WEIGHT * v)
        feats.update(inner)
        return feats

    def _head_input(self, text: str, title: str | None, feats: dict[str, float]):
        """(term counts, lexicon log-probabilities) for the learned head."""
        tf: Counter = Counter()
        if title:
            _char_grams(normalize(title), self.title_weight, tf)
        if text:
            _char_grams(normalize(text[: self.head_chars]), 1.0, tf)
        for w, v in feats.items():
            if len(w) >= 2:
                tf["w:" + w] += v
        s, _, _ = self._lex_root.scores(feats)
        z = s / self._temperature(feats) + self._l1_bias
        z = z - z.max()
        lex = z - math.log(float(np.exp(z).sum()))
        return tf, lex

    def _level1_probs(self, text: str, title: str | None, feats: dict[str, float],
                      among: Iterable[str] | None = None, s1: np.ndarray | None = None) -> np.ndarray:
        """First-level probabilities; ``s1``: the root's scores when already at hand."""
        if s1 is None:
            s1, _, _ = self.root.scores(feats)
        z = self.ROOT_SHARPNESS * (s1 / self._temperature(feats) + self._l1_bias)
        head = self.head
        if head.active:
            # the learned head, blended with the naive Bayes root (lexicon
            # plus learned counts): the two err on different cases
            tf, lex = self._head_input(text, title, feats)
            w = self.NB_BLEND
            z = (1 - w) * _log_softmax(head.logits(tf, lex)) + w * _log_softmax(z)
            z = z * self._head_sharpness()
        if among is not None:
            allowed = set(among)
            mask = np.array([c in allowed for c in self.root.classes])
            if mask.any():
                z = np.where(mask, z, -np.inf)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def _head_sharpness(self) -> float:
        """``SELF_TRAINED_SHARPNESS`` weighed by the self-taught share of the head's examples."""
        share = min(1.0, self.self_trained_n / self.head.n) if self.head.n else 0.0
        return 1.0 - (1.0 - self.SELF_TRAINED_SHARPNESS) * share

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
        self._learn_one(text, path, title, weight)
        if self.head.needs_refit():
            self.head.refit()

    def learn_many(self, examples: Iterable[tuple[str, Sequence[str | None], str | None]],
                   weight: float = 1.0) -> int:
        """Learn a batch of ``(text, path, title)`` decisions and refit the
        head once at the end (not each time the stored examples grow by a
        quarter, as single decisions do).  Return how many were learned."""
        n = 0
        for text, path, title in examples:
            self._learn_one(text, path, title, weight)
            n += 1
        self.refit()
        return n

    def _learn_one(self, text: str, path: Sequence[str | None], title: str | None, weight: float) -> None:
        """One decision into the counts and the head (a gradient step, no refit)."""
        p = self._resolve(path)
        feats = self.features(text, title)
        cnt = self.learned.setdefault(p, Counter())
        for w, v in feats.items():
            cnt[w] += v * weight
        self.learned_docs[p] += weight
        self._apply(p, feats, weight)
        tf, lex = self._head_input(text, title, feats)
        self.head.learn(tf, lex, self.root.classes.index(p[0]), weight)

    # ---- prediction ---------------------------------------------------
    def _temperature(self, feats: dict[str, float]) -> float:
        # NB log-odds grow with text length; soften them for a usable confidence
        return max(1.0, math.sqrt(sum(feats.values())))

    ALT_SHARE = 0.25  # a second-level variant goes among the main alternatives only above this share
    ALT_MIN_CONF = 0.05  # another first-level class goes among them only above this confidence

    def _suggest(self, feats: dict[str, float], p1: np.ndarray, idx, wts, k: int) -> list[Suggestion]:
        """The best path first (``_lead``), then by confidence (the
        probability that the first two levels are right): the best paths of
        the next first-level classes when plausible and clearly plausible
        second-level variants, the rest only to fill up to ``k``."""
        order = np.argsort(-p1)
        candidates = order[: max(k, self.PAIR_CANDIDATES)]
        temp = self._temperature(feats)
        level2 = {int(ci): self._level2_probs(self.root.classes[ci], feats, temp) for ci in candidates}
        lead_ci = self._lead(p1, order, lambda ci: float(level2[ci][0].max()))
        lead = None
        main: list[tuple[float, tuple[str, str, str], list[str]]] = []
        spare: list[tuple[float, tuple[str, str, str], list[str]]] = []
        for rank, ci in enumerate(candidates):
            l1 = self.root.classes[ci]
            reasons1 = self.root.reasons(int(ci), idx, wts)
            n2 = self.nodes2[l1]
            p2, i2, w2 = level2[int(ci)]
            for j, cj in enumerate(np.argsort(-p2)[: max(1, k - rank)]):
                l2 = n2.classes[cj]
                n3 = self.nodes3[(l1, l2)]
                s3, i3, w3 = n3.scores(feats, self._other_bias[(l1, l2)])
                ck = int(np.argmax(s3))
                conf = float(p1[ci] * p2[cj])  # both levels right (the third is the best guess within)
                # the words that single out this path first, then those of its first level
                reasons = list(dict.fromkeys(n3.reasons(ck, i3, w3, 3) + n2.reasons(int(cj), i2, w2, 3)
                                             + reasons1))[:6]
                item = (conf, (l1, l2, n3.classes[ck]), reasons)
                if ci == lead_ci and j == 0:
                    lead = item
                    continue
                plausible = (rank == 0 or conf >= self.ALT_MIN_CONF) if j == 0 else p2[cj] >= self.ALT_SHARE
                (main if plausible else spare).append(item)
        by_conf = itemgetter(0)
        others = sorted(main, key=by_conf, reverse=True) + sorted(spare, key=by_conf, reverse=True)
        res = [lead] + sorted(others[: k - 1], key=by_conf, reverse=True)
        return [Suggestion(p, round(min(1.0, max(0.0, c)), 4), r) for c, p, r in res]

    def _lead(self, p1: np.ndarray, order: np.ndarray, best_level2) -> int:
        """The first-level class of the leading suggestion: once dispatchers
        have taught the first level, its most probable class; from the table
        alone, the class of the most probable (first, second) pair among the
        top ``PAIR_CANDIDATES`` (second-level evidence settles close
        first-level calls: +1 point on our samples).  ``best_level2(ci)``:
        the best second-level probability under class ``ci``."""
        if self.head.active:
            return int(order[0])
        return int(max(order[: self.PAIR_CANDIDATES], key=lambda ci: p1[ci] * best_level2(int(ci))))

    def predict(self, text: str, k: int = 3, *, title: str | None = None) -> list[Suggestion]:
        """Top-``k`` suggestions, best first."""
        feats = self.features(text, title)
        s1, idx, wts = self.root.scores(feats)
        p1 = self._level1_probs(text, title, feats, s1=s1)
        return self._suggest(feats, p1, idx, wts, k)

    def predict_level1(self, text: str, title: str | None = None, *,
                       among: Iterable[str] | None = None) -> str:
        """First-level class of the leading suggestion; ``among`` restricts the candidates."""
        ci, _ = self._leading_level1(text, title, among)
        return self.root.classes[ci]

    def _leading_level1(self, text: str, title: str | None,
                        among: Iterable[str] | None = None) -> tuple[int, float]:
        """(index, probability) of the leading suggestion's first-level class."""
        feats = self.features(text, title)
        p1 = self._level1_probs(text, title, feats, among)
        temp = self._temperature(feats)

        def best_level2(ci: int) -> float:
            return float(self._level2_probs(self.root.classes[ci], feats, temp)[0].max())

        ci = self._lead(p1, np.argsort(-p1), best_level2)
        return ci, float(p1[ci])

    SELF_TRAIN_MIN_PROB = 0.7  # first-level probability at which a case teaches its own label
    SELF_TRAIN_WEIGHT = 0.5  # such a label counts half a dispatcher decision

    def self_train(self, cases: Iterable[tuple[str, str | None]]) -> int:
        """Learn from unlabelled ``(text, title)`` cases: every case is
        classified first, then each placed at first level with probability
        >= ``SELF_TRAIN_MIN_PROB`` is learned as a half-weight first-level
        decision, and the head is refitted.  Return how many were learned.

        Such a head is surer than it is right, so its first-level log-odds
        are scaled down (``SELF_TRAINED_SHARPNESS``): on our board sample the
        mean confidence went from 0.76 to 0.66 against 0.66 right."""
        chosen = []
        for text, title in cases:
            ci, prob = self._leading_level1(text, title)
            if prob >= self.SELF_TRAIN_MIN_PROB:
                chosen.append((text, (self.root.classes[ci], None, None), title))
        learned = self.learn_many(chosen, weight=self.SELF_TRAIN_WEIGHT)
        self.self_trained_n += learned
        return learned

    def _level2_probs(self, l1: str, feats: dict[str, float], temp: float):
        """Second-level probabilities given ``l1`` (calibrated), with the
        matched vocabulary columns for the reasons."""
        node = self.nodes2[l1]
        s2, idx, wts = node.scores(feats, self._other_bias[l1])
        # before decisions arrive, every third-level category is equally likely
        # a priori, so a second level weighs by how many it lists (+3 points of
        # second-level accuracy on our labelled sample); learned frequencies take over
        fade = 1.0 - min(1.0, float(node.docs.sum()) / 50.0)
        return _softmax(self.L2_SHARPNESS * s2 / temp + fade * self._leaf_prior[l1]), idx, wts

    def refit(self) -> None:
        """Refit the learned first-level head now (otherwise done lazily)."""
        if self.head.examples:
            self.head.refit()

    # ---- persistence --------------------------------------------------
    def to_dict(self) -> dict:
        if len(self.head.examples) > self.head.fitted_n:
            self.head.refit()
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "params": {k: getattr(self, k) for k in _PARAMS},
            "taxonomy": self.taxonomy.to_rows(),
            "extra_words": self.extra_words,
            "learned": [
                {"path": list(p), "docs": self.learned_docs[p], "words": dict(c)}
                for p, c in self.learned.items()
            ],
            "head": self.head.to_dict() if self.head.active else None,
            "self_trained_n": self.self_trained_n,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "RoutingModel":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelLoadError("不是分流模型文件 / not a routing model file")
        if data.get("format_version", 0) > FORMAT_VERSION:
            raise ModelLoadError("模型文件版本过新 / model file format is newer than this code")
        tax = Taxonomy.from_rows(data["taxonomy"])
        # parameters this code no longer has (older files' alpha, prior_mass) are ignored
        params = {k: v for k, v in data.get("params", {}).items() if k in _PARAMS}
        m = cls(tax, data.get("extra_words", ()), version=int(data.get("version", 0)), **params)
        for item in data.get("learned", []):
            p = m._resolve(item["path"])
            cnt = Counter({w: float(v) for w, v in item["words"].items()})
            m.learned[p] = cnt
            m.learned_docs[p] = float(item["docs"])
            m._apply(p, dict(cnt), float(item["docs"]))
        if data.get("head"):
            m.head.load_dict(data["head"])
        m.self_trained_n = int(data.get("self_trained_n", 0))
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


# constructor parameters saved with a model (and the only ones read back)
_PARAMS = ("title_weight", "max_chars", "head_chars", "hmm", "level1_prior")


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
