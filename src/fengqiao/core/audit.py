"""The hash-chained audit log: append inside the caller's transaction, verify from the start."""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fengqiao.core.models import AuditEntry, Sequence

GENESIS = "0" * 64
_HEAD = "audit-head"


def _digest(prev_hash: str, *, seq, at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor_id, actor_label, action, object_type, str(object_id), data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def audit_append(*, action: str, object_type: str, object_id, actor=None, actor_label: str = "", data=None) -> AuditEntry:
    """Append one entry; serialised on a head row so that concurrent writers never fork the chain."""
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    with transaction.atomic():
        head = Sequence.objects.select_for_update().filter(name=_HEAD).first()
        if head is None:
            head, _ = Sequence.objects.get_or_create(name=_HEAD)
        prev = AuditEntry.objects.filter(seq=head.value).values_list("hash", flat=True).first() or GENESIS
        seq = head.value + 1
        at = timezone.now().replace(microsecond=0)
        fields = dict(
            seq=seq, at=at, actor_id=actor.pk if actor else None, actor_label=actor_label,
            action=action, object_type=object_type, object_id=str(object_id), data=data,
        )
        entry = AuditEntry.objects.create(prev_hash=prev, hash=_digest(prev, **fields), **fields)
        Sequence.objects.filter(pk=head.pk).update(value=seq)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; return the first entry whose link or content does not hold."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    head = Sequence.objects.filter(name=_HEAD).first()
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"第 {expected_seq} 条记录缺失 / entry {expected_seq} is missing")
        if e.prev_hash != prev:
            return VerifyResult(False, checked, e.seq, f"第 {e.seq} 条记录的链接断开 / entry {e.seq} does not link to its predecessor")
        fields = dict(
            seq=e.seq, at=e.at, actor_id=e.actor_id, actor_label=e.actor_label, action=e.action,
            object_type=e.object_type, object_id=e.object_id, data=e.data,
        )
        if _digest(prev, **fields) != e.hash:
            return VerifyResult(False, checked, e.seq, f"第 {e.seq} 条记录内容被改动 / entry {e.seq} was altered")
        prev = e.hash
        expected_seq += 1
        checked += 1
    if head and head.value != checked:
        return VerifyResult(False, checked, checked + 1, f"第 {checked + 1} 条之后的记录被删除 / entries after {checked} were removed")
    return VerifyResult(True, checked)
