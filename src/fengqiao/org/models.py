import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class RegionLevel(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "县(区)"
    TOWN = "town", "乡镇(街道)"
    VILLAGE = "village", "村(社区)"
    GRID = "grid", "网格"


REGION_DEPTH = {RegionLevel.CITY: 0, RegionLevel.COUNTY: 1, RegionLevel.TOWN: 2, RegionLevel.VILLAGE: 3, RegionLevel.GRID: 4}


class Region(models.Model):
    """A node of the territory tree. `path` is the codes from the root joined by '/', ending in '/'."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def full_name(self) -> str:
        names = dict(Region.objects.filter(code__in=self.ancestor_codes()).values_list("code", "name"))
        return "".join(names.get(c, "") for c in self.ancestor_codes()[1:]) or self.name


class DepartmentKind(models.TextChoices):
    PETITION = "petition", "信访部门"
    FUNCTIONAL = "functional", "职能部门"
    TOWN = "town", "乡镇(街道)"
    VILLAGE = "village", "村(社区)"
    MEDIATION = "mediation", "调解组织"
    JUDICIAL = "judicial", "政法单位"


class Department(models.Model):
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    CLERK = "clerk", "受理员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "承办人"
    MEDIATOR = "mediator", "调解员"
    GRID_WORKER = "grid_worker", "网格员"
    LEADER = "leader", "领导"
    SUPERVISOR = "supervisor", "督办员"
    ADMIN = "admin", "管理员"


class Staff(AbstractUser):
    """A member of staff. `region` is the jurisdiction; `department` the unit they work for."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.CLERK)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    on_duty = models.BooleanField("值班", default=False)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=255, blank=True)  # encrypted

    def __str__(self):
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{self.get_role_display()}）"


class ApiToken(models.Model):
    """A bearer token for the staff API; only its SHA-256 is stored."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class ResponsibilityRule(models.Model):
    """权责清单: which department leads a category (at any level) in a region (and the regions below it)."""

    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="responsibilities")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="responsibilities")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="responsibilities")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "region"], name="responsibility_unique")]
