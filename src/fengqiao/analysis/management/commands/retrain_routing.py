from django.core.management.base import BaseCommand

from fengqiao.analysis import engine
from fengqiao.analysis.services import routing_accuracy, routing_retrain


class Command(BaseCommand):
    help = "用分类表和全部派单员决定重新训练分流模型 / rebuild the routing model from the taxonomy and every decision"

    def add_arguments(self, parser):
        parser.add_argument(
            "--self-train", action="store_true",
            help="先从未经派单员决定的案件（如导入的历史案件）中学习本地用语 "
                 "/ first adapt to the wording of cases no dispatcher has decided (e.g. imported history)")

    def handle(self, *args, **options):
        count, adapted = routing_retrain(self_train=options["self_train"])
        version = engine._current_version()
        stats = routing_accuracy()
        rate = f"{stats['rate']:.1%}" if stats["rate"] is not None else "—"
        self.stdout.write(
            f"已重新训练：{count} 条派单决定，{adapted} 件未决定案件，模型版本 v{version}，建议被采纳率 {rate} "
            f"/ retrained on {count} decisions and {adapted} undecided cases, model v{version}, "
            f"top suggestion confirmed {rate}"
        )
