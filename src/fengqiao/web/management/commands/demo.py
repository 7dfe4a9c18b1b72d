from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fengqiao.demo.seed import DEFAULT_CASES, DEFAULT_SEED, DEMO_PASSWORD, demo_is_seeded, demo_seed

# Accounts shown one by one; the grid workers (one per grid) are summed up by town.
_LISTED_LIMIT = 80


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "演示：建库、写入演示数据（一个虚构的县）并启动网站 / seed a fictional county and serve the site"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--data-dir", default="", help="数据目录 / data folder (use: fengqiao demo --data-dir D)")
        parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help=f"演示案件数 / number of cases (默认 {DEFAULT_CASES})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子 / random seed")
        parser.add_argument("--no-serve", action="store_true", help="只写入数据，不启动网站 / seed only")

    def handle(self, *args, host, port, data_dir, cases, seed, no_serve, **options):
        if data_dir and Path(data_dir).resolve() != Path(settings.DATA_DIR).resolve():
            raise CommandError(
                f"数据目录须在启动前指定：请运行 fengqiao demo --data-dir {data_dir}，或设置 FENGQIAO_DATA_DIR "
                f"/ the data folder is fixed at start-up; run `fengqiao demo --data-dir {data_dir}`"
            )
        if cases < 1:
            raise CommandError("--cases 至少为 1 / --cases must be at least 1")
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据目录 / data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if not demo_is_seeded():
            self.stdout.write(f"正在写入演示数据（{cases} 件案件）… / seeding")
            self.stdout.flush()
        report = demo_seed(cases=cases, seed=seed, progress=self._progress)
        if report.created:
            self.stdout.write(
                f"演示数据已写入：{report.cases} 件案件，用时 {report.seconds:.1f} 秒 / seeded {report.cases} cases in {report.seconds:.1f} s"
            )
        else:
            self.stdout.write(f"已有演示数据（{report.cases} 件案件），直接使用 / demo data found, reusing it")
        self._logins(report.logins)
        if no_serve:
            from fengqiao.analysis.services import insight_compute_all

            insight_compute_all()
            return
        self._analyse_in_background()
        call_command("serve", host=host, port=port)

    def _analyse_in_background(self) -> None:
        """Compute routing suggestions, repeat flags and risk warnings for cases that lack them, while serving."""
        import threading

        from django.db import connections

        from fengqiao.analysis.services import insight_compute_all

        def run():
            try:
                insight_compute_all()
            finally:
                connections.close_all()

        threading.Thread(target=run, name="fengqiao-analyse", daemon=True).start()

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  … {done}/{total}")
        self.stdout.flush()

    def _logins(self, logins) -> None:
        grid = [x for x in logins if x.username.startswith("wg_")]
        listed = [x for x in logins if not x.username.startswith("wg_")][:_LISTED_LIMIT]
        header = ("用户名", "密码", "角色", "单位", "辖区")
        rows = [(x.username, x.password, x.role, x.unit, x.region) for x in listed]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，请勿用于正式环境）/ demo logins")
        self.stdout.write(rule)
        self.stdout.write("  ".join(_pad(h, w) for h, w in zip(header, widths)))
        self.stdout.write(rule)
        for row in rows:
            self.stdout.write("  ".join(_pad(v, w) for v, w in zip(row, widths)))
        self.stdout.write(rule)
        if grid:
            self.stdout.write(
                f"另有网格员 {len(grid)} 名，用户名为 wg_镇名_村序号网格序号，例如 {grid[0].username}（{grid[0].unit}，{grid[0].region}），"
                f"密码相同 / plus {len(grid)} grid workers named like {grid[0].username}"
            )
        self.stdout.write("")
