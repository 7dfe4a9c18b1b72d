"""The Celery application for production workers: `celery -A fengqiao.celery worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")

import django  # noqa: E402

django.setup()

from fengqiao.core.tasks import REGISTRY  # noqa: E402

app = Celery("fengqiao", broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"))
app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                broker_connection_retry_on_startup=True, task_default_queue="fengqiao")


def _register_tasks() -> None:
    import fengqiao.tasks  # noqa: F401  (imports every module that defines tasks)

    for name, fn in REGISTRY.items():
        app.task(name=name)(fn)


_register_tasks()
