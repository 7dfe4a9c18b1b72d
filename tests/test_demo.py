"""The demo county: seeded through the real services, in every status and channel, once."""

import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.utils import timezone
from stdnum.cn import ric

from fengqiao.cases.models import Case, CaseEvent, Category, Petitioner
from fengqiao.cases.states import Channel, Status
from fengqiao.core.audit import audit_verify
from fengqiao.demo.seed import DEMO_PASSWORD, demo_seed
from fengqiao.org.models import ResponsibilityRule, Role, Staff


@pytest.mark.django_db
def test_small_demo_covers_every_status_channel_and_role_and_seeds_once():
    report = demo_seed(cases=150)

    assert report.created and report.cases == 150
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Staff.objects.values_list("role", flat=True)) >= set(Role.values)
    admin = Staff.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.check_password(DEMO_PASSWORD)
    assert report.logins[0].username == "admin"
    assert {d: Category.objects.filter(depth=d).count() >= n for d, n in ((1, 12), (2, 40), (3, 100))} == {1: True, 2: True, 3: True}
    assert ResponsibilityRule.objects.filter(region__level="town", department__kind="mediation").exists()

    # The history is real and spread over the last 90 days: ordered timelines, backdated dates.
    now = timezone.now()
    events = defaultdict(list)
    for e in CaseEvent.objects.order_by("case_id", "pk").values("case_id", "at", "action"):
        events[e["case_id"]].append(e)
    for case in Case.objects.all():
        timeline = events[case.pk]
        assert timeline[0]["action"] == "register" and timeline[0]["at"] == case.created_at
        assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
        assert now - dt.timedelta(days=91) < case.created_at <= timeline[-1]["at"] < now
        if case.status == Status.REPLIED:
            assert case.replied_at == timeline[-1]["at"]
    assert Case.objects.filter(escalation_count__gt=0).exists()
    assert Case.objects.filter(extension_count__gt=0).exists()
    assert Case.objects.filter(redo_count__gt=0).exists()
    assert Case.objects.filter(return_count__gt=0).exists()
    assert Case.objects.filter(status__in=[Status.DISPATCHED, Status.IN_PROGRESS], due_at__lt=now).exists() or \
        Case.objects.filter(status=Status.REGISTERED, due_at__lt=now).exists()
    assert audit_verify().ok

    # Fictional people with valid ID numbers; some come back on another channel.
    with_id = [p for p in Petitioner.objects.exclude(id_number_enc="")[:30]]
    assert with_id and all(ric.is_valid(p.id_number) for p in with_id)
    repeat = [p for p in Petitioner.objects.all() if len({c.channel for c in p.cases.all()}) > 1]
    assert repeat

    again = demo_seed(cases=150)
    assert not again.created and again.cases == 150
    assert Case.objects.count() == 150 and Staff.objects.filter(username="admin").count() == 1


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_", "DJANGO_")) and k != "DATABASE_URL"}
    return {**env, "DJANGO_SETTINGS_MODULE": "fengqiao.settings"}


def _fengqiao(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("fengqiao")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "fengqiao.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=_env(), timeout=300)


def test_demo_command_seeds_a_data_folder_and_reuses_it(tmp_path):
    data = tmp_path / "demo-data"

    first = _fengqiao("demo", "--no-serve", "--data-dir", str(data), "--cases", "30")

    assert first.returncode == 0, first.stderr
    assert (data / "fengqiao.sqlite3").exists()
    assert "演示数据已写入：30 件案件" in first.stdout
    assert "admin" in first.stdout and DEMO_PASSWORD in first.stdout and "督办员" in first.stdout

    second = _fengqiao("demo", "--no-serve", "--data-dir", str(data), "--cases", "30")
    assert second.returncode == 0, second.stderr
    assert "已有演示数据（30 件案件）" in second.stdout

    verify = _fengqiao("audit", "verify", "--data-dir", str(data))
    assert verify.returncode == 0 and "审计链完整" in verify.stdout
