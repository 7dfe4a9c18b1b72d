from django.conf import settings
from django.db import models


class Sequence(models.Model):
    """A named counter, advanced under a row lock, for human case numbers."""

    name = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit log.

    `hash` = SHA-256 over the previous entry's hash and this entry's canonical content; altering or
    removing any row breaks every hash after it, which `fengqiao audit verify` reports.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
