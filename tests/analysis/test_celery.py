"""With CELERY_BROKER_URL set, analysis runs on a Celery worker over the real Redis."""

import time

import pytest
import redis

from fengqiao.analysis.models import CaseInsight
from fengqiao.cases import services

REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379"),
]


def test_a_registered_case_is_analysed_by_a_celery_worker(world, monkeypatch, settings):
    from celery.contrib.testing.worker import start_worker

    from fengqiao.celery import app

    settings.FENGQIAO_TASKS_SYNC = False
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)
    app.conf.broker_url = REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        case, _ = services.case_register(
            title="工地拖欠工资要去北京上访", content="老板拖欠我们工资半年，再不给就集体去北京上访。", channel="hotline",
            region=world.town, actor=world.clerk,
        )
        deadline = time.time() + 30
        while not CaseInsight.objects.filter(case=case).exists() and time.time() < deadline:
            time.sleep(0.2)
    insight = CaseInsight.objects.get(case=case)
    assert insight.risk_level in ("red", "orange")
    assert any("北京" in r or "进京" in r for r in insight.risk_reasons)


def test_without_a_broker_the_task_runs_in_process(world, settings, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.FENGQIAO_TASKS_SYNC = True
    case, _ = services.case_register(title="路灯坏了", content="村口路灯坏了一个月。", channel="online", region=world.town, actor=None)
    assert CaseInsight.objects.filter(case=case).exists()
