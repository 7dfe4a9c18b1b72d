"""Backup and restore of the whole database as one gzip'd JSON file, portable between SQLite and PostgreSQL.

Personal data stays encrypted in the backup; the keys (data folder `field_keys`, `index_key`) are
backed up separately, so that a stolen backup alone reveals nothing.
"""

import gzip
import io

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction

from fengqiao.core.errors import ValidationFailed

APP_LABELS = ["org", "core", "cases"]
EXTRA_MODELS = ["auth.group"]


def _models():
    out = []
    for label in APP_LABELS:
        out.extend(apps.get_app_config(label).get_models())
    return out


def backup_write(path) -> int:
    """Write every row of the project's tables to `path`; return the number of objects written."""
    buffer = io.StringIO()
    call_command("dumpdata", *APP_LABELS, *EXTRA_MODELS, format="json", stdout=buffer, natural_foreign=False)
    data = buffer.getvalue()
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(data)
    return data.count('"model":')


def backup_restore(path) -> int:
    """Load a backup into an empty database (migrated); refuse when cases already exist."""
    from fengqiao.cases.models import Case
    from fengqiao.org.models import Staff

    if Case.objects.exists() or Staff.objects.exists():
        raise ValidationFailed("目标数据库不是空的，为防止覆盖数据，拒绝恢复", "target database is not empty; refusing to restore over data")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, EOFError) as exc:
        raise ValidationFailed(f"无法读取备份文件：{exc}", f"cannot read backup: {exc}")
    count = 0
    with transaction.atomic():
        for obj in serializers.deserialize("json", text):
            obj.save()
            count += 1
    _reset_sequences()
    return count


def _reset_sequences():
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
