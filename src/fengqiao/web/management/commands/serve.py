from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站 / serve the site with waitress"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from fengqiao.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"枫桥已启动 / Fengqiao is serving at http://{host}:{port}/  （Ctrl+C 退出）", ending="\n")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="fengqiao")
