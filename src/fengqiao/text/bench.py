"""Benchmark of the text module: synthetic data (deterministic seed), or the
messages of a board export and a category table for the classification timings."""

from __future__ import annotations

import gc
import random
import resource
import sys
import time
from datetime import datetime, timedelta

from .lexicon import LEXICON

__all__ = ["run_bench", "synthetic_cases", "builtin_taxonomy", "board_messages"]

_SYL = list("华新丽景泰和安康福祥瑞嘉宏达金银碧桂翠湖山水云星月阳光明清溪江河海林园")
_SUFFIX = ["小区", "花园", "家园", "新城", "名苑", "华庭", "公寓", "广场", "路", "大道", "中学", "小学", "公司", "村"]
_TOWNS = ["东城街道", "西湖街道", "南山镇", "北塘镇", "河西街道", "长桥乡", "新港镇", "金桥街道"]
_FRAMES = [
    "{p}{w1}问题严重，{w2}长期得不到解决，希望尽快处理{w3}",
    "反映{t}{p}的{w1}和{w2}，居民多次投诉，{w3}至今没有改善",
    "咨询{p}{w1}相关政策，{w2}怎么办理，{w3}需要什么材料",
    "{t}{p}附近{w1}，影响{w2}，请有关部门调查{w3}",
    "投诉{p}{w1}，{w2}，要求{w3}",
]


def builtin_taxonomy():
    """A taxonomy built from the lexicon's own category names (no data file)."""
    from .routing import Taxonomy

    return Taxonomy.from_rows([(l1, l2, "其他") for l1, d in LEXICON.items() for l2 in d if l2 != "*"])


def synthetic_cases(n: int, seed: int = 42):
    """Yield (case_id, text, region_code, timestamp, petitioner) rows."""
    rnd = random.Random(seed)
    words = {l1: [w.rstrip("!~") for w in d["*"].split()] for l1, d in LEXICON.items()}
    cats = list(words)
    places = ["".join(rnd.sample(_SYL, 2)) + rnd.choice(_SUFFIX) for _ in range(5000)]
    t0 = datetime(2019, 1, 1)
    for i in range(n):
        ws = words[cats[rnd.randrange(len(cats))]]
        text = rnd.choice(_FRAMES).format(p=places[rnd.randrange(len(places))], t=_TOWNS[rnd.randrange(8)],
                                          w1=ws[rnd.randrange(len(ws))], w2=ws[rnd.randrange(len(ws))],
                                          w3=ws[rnd.randrange(len(ws))])
        region = f"4301{rnd.randrange(1, 12):02d}{rnd.randrange(1, 20):03d}"
        yield (i, text, region, t0 + timedelta(minutes=i % 1_000_000), f"p{rnd.randrange(n // 3 + 1)}")


def _rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(r / (1024 * 1024) if sys.platform == "darwin" else r / 1024, 1)


def _pct(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000, 3)


def board_messages(path, n: int, seed: int = 42) -> list[tuple[str, str | None]]:
    """A seeded sample of ``n`` (text, title) pairs of a board export
    (columns 留言主题 and/or 留言详情)."""
    from .evaluation import board_message_reader
    from .xlsx import InputError, read_table

    header, rows = read_table(path)
    message = board_message_reader(header)
    out = [m for m in map(message, rows) if m[0]]
    if not out:
        raise InputError(f"没有留言 / no messages in {path}")
    random.Random(seed).shuffle(out)
    return out[:n]


def _classify_timings(model, items, prefix: str) -> dict:
    model.predict(items[0][0], title=items[0][1])
    lat = []
    t = time.perf_counter()
    for text, title in items:
        s = time.perf_counter()
        model.predict(text, k=3, title=title)
        lat.append(time.perf_counter() - s)
    total = time.perf_counter() - t
    return {f"{prefix}_per_s": round(len(items) / total, 1), f"{prefix}_p50_ms": _pct(lat, 0.5),
            f"{prefix}_p99_ms": _pct(lat, 0.99)}


def run_bench(sizes=(100_000, 1_000_000), queries: int = 200, classifications: int = 300, seed: int = 42,
              decisions: int = 2000, taxonomy=None, messages=None) -> dict:
    """``taxonomy``: a ``Taxonomy`` (default: built from the lexicon);
    ``messages``: (text, title) pairs to classify and learn from (default:
    synthetic texts of 100-150 characters)."""
    from .routing import RoutingModel
    from .segment import backend
    from .similar import SimilarIndex

    out: dict = {"segmenter": backend()}
    t = time.perf_counter()
    model = RoutingModel.from_taxonomy(taxonomy or builtin_taxonomy())
    out["routing_model_build_s"] = round(time.perf_counter() - t, 3)
    if messages:
        items, to_learn = messages[:classifications], messages[classifications:][:decisions] or messages[:decisions]
    else:
        items = [(r[1] * 3, None) for r in synthetic_cases(classifications, seed + 1)]
        to_learn = [(r[1] * 3, None) for r in synthetic_cases(decisions, seed + 2)]
    out["classify_texts"] = "board" if messages else "synthetic"
    out["classify_mean_chars"] = round(sum(len(x) for x, _ in items) / len(items))
    out.update(_classify_timings(model, items, "classify"))
    # a model that has learned from decisions (the learned head is active)
    t = time.perf_counter()
    for text, title in to_learn:
        model.learn(text, (model.predict_level1(text, title), None, None), title=title)
    model.refit()
    out["learn_decisions"] = len(to_learn)
    out["learn_s"] = round(time.perf_counter() - t, 2)
    out.update(_classify_timings(model, items, "classify_learned"))
    out["similar"] = {}
    for n in sizes:
        gc.collect()
        rnd = random.Random(seed + n)
        t = time.perf_counter()
        idx = SimilarIndex.build(synthetic_cases(n, seed))
        build = time.perf_counter() - t
        probe = [r for r in synthetic_cases(min(n, 5000), seed)]
        qs = []
        for _ in range(queries):
            _, text, region, ts, _ = probe[rnd.randrange(len(probe))]
            qs.append((text[:-2] + "谢谢", region[:6]))
        idx.query(qs[0][0])
        lat, lat_f = [], []
        for text, reg in qs:
            s = time.perf_counter()
            idx.query(text, k=10)
            lat.append(time.perf_counter() - s)
            s = time.perf_counter()
            idx.query(text, region_prefix=reg, since=datetime(2019, 1, 2), k=10)
            lat_f.append(time.perf_counter() - s)
        out["similar"][str(n)] = {
            "build_s": round(build, 2), "query_p50_ms": _pct(lat, 0.5), "query_p99_ms": _pct(lat, 0.99),
            "filtered_query_p50_ms": _pct(lat_f, 0.5), "filtered_query_p99_ms": _pct(lat_f, 0.99),
            "peak_rss_mb_after": _rss_mb(),
        }
        del idx, probe
    out["peak_rss_mb"] = _rss_mb()
    return out
