from django.conf import settings
from django.db import models

from fengqiao.cases.states import Action, Channel, Level, Rating, Status
from fengqiao.core import crypto
from fengqiao.org.models import Department, Region


class Category(models.Model):
    """A node of the three-level category table (一级/二级/三级分类)."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    depth = models.PositiveSmallIntegerField()  # 1, 2 or 3
    path = models.CharField(max_length=320, unique=True)  # "一级/二级/三级"
    keywords = models.TextField(blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.path

    def lineage(self) -> list["Category"]:
        """Return this category and its ancestors, most specific first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Petitioner(models.Model):
    """信访人. Personal data is encrypted; `*_index` are keyed hashes for look-ups, `*_masked` for display."""

    name_enc = models.TextField(blank=True)
    name_masked = models.CharField(max_length=50, blank=True)
    id_number_enc = models.TextField(blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(max_length=32, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(max_length=32, blank=True)
    address_enc = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name_masked or "匿名"

    @property
    def name(self) -> str:
        return crypto.decrypt(self.name_enc)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    @property
    def address(self) -> str:
        return crypto.decrypt(self.address_enc)


class Case(models.Model):
    number = models.CharField("编号", max_length=32, unique=True)
    query_code = models.CharField("查询码", max_length=16, unique=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    level = models.CharField("办理层级", max_length=16, choices=Level.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REGISTERED)
    petitioner = models.ForeignKey(Petitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    lead_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_cases")
    co_departments = models.ManyToManyField(Department, blank=True, related_name="co_cases")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_cases")
    # 被反映对象: the unit or official complained about never handles nor sees the case.
    accused_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="accused_cases")
    accused_staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="accused_cases")

    created_at = models.DateTimeField("登记时间", db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    accept_due_at = models.DateTimeField("受理告知期限")
    resolve_due_at = models.DateTimeField("办结期限", null=True, blank=True)
    due_at = models.DateTimeField("当前期限", null=True, blank=True, db_index=True)

    reply_content = models.TextField("答复意见", blank=True)
    last_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    redo_count = models.PositiveSmallIntegerField("重办次数", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    escalation_count = models.PositiveSmallIntegerField("提级次数", default=0)
    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    appeal_stage = models.PositiveSmallIntegerField("复查复核阶段", default=0)  # 1 复查, 2 复核

    source_ref = models.CharField("来源编号", max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    support_count = models.IntegerField("点赞数", default=0)
    oppose_count = models.IntegerField("反对数", default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["lead_department", "status"]),
            models.Index(fields=["region", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"], condition=~models.Q(source_ref=""), name="case_unique_source_ref"
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class CaseEvent(models.Model):
    """One step on a case's append-only timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    public_note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Evaluation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    rating = models.CharField(max_length=24, choices=Rating.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()
    by_petitioner = models.BooleanField(default=True)
    round = models.PositiveSmallIntegerField(default=0)  # redo_count when rated


def _upload_to(instance, filename):
    return f"cases/{instance.case_id}/{instance.stored_name}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_upload_to)
    stored_name = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
