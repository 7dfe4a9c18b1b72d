from django.core.management.base import BaseCommand

from fengqiao.analysis import engine
from fengqiao.analysis.services import routing_accuracy, routing_retrain


class Command(BaseCommand):
    help = "用分类表和全部派单员决定重新训练分流模型 / rebuild the routing model from the taxonomy and every decision"

    def handle(self, *args, **options):
        count = routing_retrain()
        version = engine._current_version()
        stats = routing_accuracy()
        rate = f"{stats['rate']:.1%}" if stats["rate"] is not None else "—"
        self.stdout.write(
            f"已重新训练：{count} 条派单决定，模型版本 v{version}，建议被采纳率 {rate} "
            f"/ retrained on {count} decisions, model v{version}, top suggestion confirmed {rate}"
        )
