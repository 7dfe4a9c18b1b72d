"""Command-line entry points (the lead wires them into ``fengqiao``).

Each function takes an argv list and returns an exit code; bad input gives
a bilingual message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

__all__ = ["eval_routing_main", "hot_topics_main", "bench_main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with a bilingual hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"参数错误 / bad arguments: {message}\n")
        raise SystemExit(2)


def _fail(msg: str) -> int:
    sys.stderr.write(f"错误 / error: {msg}\n")
    return 2


def _run(fn, argv):
    from .routing import ModelLoadError, TaxonomyError
    from .xlsx import InputError

    try:
        return fn(argv)
    except SystemExit as e:
        return int(e.code or 0)
    except (InputError, TaxonomyError, ModelLoadError) as e:
        return _fail(str(e))
    except (OSError, ValueError) as e:
        return _fail(f"无法处理输入 / cannot process input: {e}")


def eval_routing_main(argv: Sequence[str] | None = None) -> int:
    """fengqiao eval routing --taxonomy T.xlsx --cases C.xlsx --label-column 一级分类
    [--train-fraction F --seed S] --json"""
    def run(argv):
        p = _Parser(prog="fengqiao eval routing", description="分流准确率评估 / routing evaluation")
        p.add_argument("--taxonomy", required=True)
        p.add_argument("--cases", required=True)
        p.add_argument("--label-column", default="一级分类")
        p.add_argument("--train-fraction", type=float, default=None)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--no-self-train", action="store_true",
                       help="只用分类表，不先适应待分案件的用语 / the table alone, without adapting to the cases' wording")
        p.add_argument("--json", action="store_true")
        a = p.parse_args(list(argv or []))
        from .evaluation import evaluate_routing

        res = evaluate_routing(a.taxonomy, a.cases, a.label_column, a.train_fraction, a.seed,
                               self_train=not a.no_self_train)
        if a.json:
            print(json.dumps(res, ensure_ascii=False))
        else:
            print(f"样本数 n={res['n']}  准确率 accuracy={res['accuracy']:.4f}  宏F1 macro-F1={res['macro_f1']:.4f}")
            for lab, v in res["per_class"].items():
                print(f"  {lab}\tP={v['precision']:.3f}\tR={v['recall']:.3f}\tF1={v['f1']:.3f}\tn={v['support']}")
        return 0

    return _run(run, argv)


def _board_docs(path):
    from .topics import Doc
    from .xlsx import InputError, parse_datetime, read_table

    header, rows = read_table(path, required=("留言编号", "留言主题", "留言时间", "留言详情"))
    col = {h: i for i, h in enumerate(header)}

    def get(r, name):
        i = col.get(name)
        return None if i is None else r[i]

    def as_int(v):
        try:
            return int(float(v))
        except (TypeError, ValueError):
            return 0

    docs = []
    for r in rows:
        mid = get(r, "留言编号")
        if mid is None:
            continue
        if isinstance(mid, float) and mid.is_integer():
            mid = int(mid)
        docs.append(Doc(id=mid, title=str(get(r, "留言主题") or ""), text=str(get(r, "留言详情") or ""),
                        time=parse_datetime(get(r, "留言时间")), petitioner=get(r, "留言用户"),
                        support=as_int(get(r, "点赞数")), oppose=as_int(get(r, "反对数"))))
    if not docs:
        raise InputError("表格中没有留言 / no messages in the file")
    return docs


def hot_topics_main(argv: Sequence[str] | None = None) -> int:
    """fengqiao hot-topics FILE.xlsx [--top N] [--month YYYY-MM] [--json]"""
    def run(argv):
        p = _Parser(prog="fengqiao hot-topics", description="热点问题挖掘 / hot topics")
        p.add_argument("file")
        p.add_argument("--top", type=int, default=10)
        p.add_argument("--month", default=None)
        p.add_argument("--json", action="store_true")
        a = p.parse_args(list(argv or []))
        if a.top < 1:
            return _fail("--top 必须为正整数 / --top must be positive")
        from .topics import hot_topics, problem_list

        docs = _board_docs(a.file)
        topics = problem_list(docs, a.month, top=a.top) if a.month else hot_topics(docs, top=a.top)
        if a.json:
            print(json.dumps({"n_messages": len(docs), "topics": [
                {"rank": i + 1, **t.to_dict()} for i, t in enumerate(topics)]}, ensure_ascii=False, default=str))
        else:
            print(f"共 {len(docs)} 条留言，热点问题前 {len(topics)} 名：")
            print("排名\t热度\t留言数\t人数\t点赞\t时间范围\t问题")
            for i, t in enumerate(topics, 1):
                span = f"{t.start:%Y-%m-%d}~{t.end:%Y-%m-%d}" if t.start and t.end else "-"
                print(f"{i}\t{t.heat:.1f}\t{t.count}\t{t.petitioners}\t{t.support}\t{span}\t{t.name}")
        return 0

    return _run(run, argv)


def bench_main(argv: Sequence[str] | None = None) -> int:
    """fengqiao bench text [--sizes 100000,1000000] [--queries N] [--decisions N]
    [--cases BOARD.xlsx [--taxonomy T.xlsx]] [--json]"""
    def run(argv):
        p = _Parser(prog="fengqiao bench text", description="文本模块性能测试 / text benchmark")
        p.add_argument("--sizes", default="100000,1000000")
        p.add_argument("--queries", type=int, default=200)
        p.add_argument("--classifications", type=int, default=300)
        p.add_argument("--decisions", type=int, default=2000, help="decisions learned before the second timing")
        p.add_argument("--seed", type=int, default=42)
        p.add_argument("--cases", help="board export whose messages are classified (default: synthetic texts)")
        p.add_argument("--taxonomy", help="category table (default: built from the lexicon)")
        p.add_argument("--json", action="store_true")
        a = p.parse_args(list(argv or []))
        try:
            sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
        except ValueError:
            return _fail(f"--sizes 格式错误 / bad --sizes: {a.sizes}")
        if not sizes or min(sizes) < 1:
            return _fail("--sizes 必须为正整数列表 / --sizes must be positive integers")
        if a.decisions < 1:
            return _fail("--decisions 必须为正整数 / --decisions must be a positive integer")
        from .bench import board_messages, run_bench
        from .routing import Taxonomy

        taxonomy = Taxonomy.from_xlsx(a.taxonomy) if a.taxonomy else None
        messages = board_messages(a.cases, a.classifications + a.decisions, a.seed) if a.cases else None
        res = run_bench(sizes, queries=a.queries, classifications=a.classifications, seed=a.seed,
                        decisions=a.decisions, taxonomy=taxonomy, messages=messages)
        if a.json:
            print(json.dumps(res, ensure_ascii=False))
        else:
            for k, v in res.items():
                print(f"{k}: {v}")
        return 0

    return _run(run, argv)
