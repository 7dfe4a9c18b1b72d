"""The `fengqiao` command.

Text-analysis commands (eval-routing, hot-topics, bench text) run without Django. Every other
command runs as a Django management command against the data folder (`--data-dir D`, or
FENGQIAO_DATA_DIR, default ./fengqiao-data): `fengqiao import-taxonomy F.xlsx` runs
`import_taxonomy F.xlsx`.
"""

import os
import sys

USAGE = """用法 / usage: fengqiao COMMAND [--data-dir D] [options]

  demo [--host H] [--port P] [--cases N] [--no-serve]
                                    建库、写入演示数据并启动网站 / seed demo data and serve
  serve [--host H] [--port P]       启动网站 / serve the site
  migrate                           升级数据库结构 / apply migrations
  createsuperuser                   创建管理员 / create an administrator
  token create USERNAME             生成 API 令牌 / print an API token
  import-taxonomy FILE.xlsx         导入三级分类 / import the category table
  import-cases FILE.xlsx            导入留言或工单 / import board or hotline exports
  export-cases FILE.xlsx [filters]  导出案件 / export cases
  audit verify                      校验审计链 / verify the audit chain
  backup FILE / restore FILE        备份与恢复 / backup and restore
  totp enable|disable USERNAME      两步验证 / two-factor login
  analyse [--all]                   研判：分类建议、重复、风险 / analyse cases
  retrain-routing [--self-train]    重新训练分流模型 / rebuild the routing model
  eval-routing ...                  评估智能分类 / evaluate routing
  hot-topics FILE.xlsx ...          热点问题 / hot topics
  bench text ...                    性能测试 / benchmarks
"""

PURE_COMMANDS = {"eval-routing", "hot-topics", "bench"}


def _pop_option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i : i + 2]
            return value
        if arg.startswith(name + "="):
            del argv[i]
            return arg.split("=", 1)[1]
    return None


def _run_pure(command: str, rest: list[str]) -> int:
    from fengqiao.text import cli as text_cli

    if command == "eval-routing":
        return text_cli.eval_routing_main(rest)
    if command == "hot-topics":
        return text_cli.hot_topics_main(rest)
    if command == "bench":
        if not rest or rest[0] != "text":
            print("用法 / usage: fengqiao bench text [--json]", file=sys.stderr)
            return 2
        return text_cli.bench_main(rest[1:])
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command in PURE_COMMANDS:
        return _run_pure(command, rest)
    data_dir = _pop_option(rest, "--data-dir")
    if data_dir:
        os.environ["FENGQIAO_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        call_command(command.replace("-", "_"), *rest)
    except CommandError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
