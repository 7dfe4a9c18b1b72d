from django.db.models import QuerySet
from django.utils import timezone

from fengqiao.org.models import ApiToken, Department, Region, ResponsibilityRule, Staff


def staff_from_token(key: str) -> Staff | None:
    token = ApiToken.objects.select_related("staff").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.staff.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.staff


def region_scope_path(staff: Staff) -> str:
    """Return the region path prefix that bounds what `staff` may see ('/' for all)."""
    if staff.region_id is None:
        return "/" if staff.role == "admin" or staff.is_superuser else "/-none-/"
    return staff.region.path


def department_list(*, staff: Staff | None = None) -> QuerySet[Department]:
    qs = Department.objects.filter(active=True).select_related("region")
    if staff is not None:
        qs = qs.filter(region__path__startswith=region_scope_path(staff))
    return qs


def region_ancestors(region: Region) -> list[Region]:
    """Return the region and its ancestors, nearest first."""
    by_code = {r.code: r for r in Region.objects.filter(code__in=region.ancestor_codes())}
    return [by_code[c] for c in reversed(region.ancestor_codes()) if c in by_code]


def responsibility_lookup(*, category, region: Region) -> Department | None:
    """Return the lead department for a category in a region: the most specific rule wins,
    the category's own level before its parents, the nearest region before those above."""
    if category is None or region is None:
        return None
    categories = category.lineage()
    regions = region_ancestors(region)
    rules = {
        (r.category_id, r.region_id): r
        for r in ResponsibilityRule.objects.filter(
            category__in=categories, region__in=regions, department__active=True
        ).select_related("department")
    }
    for cat in categories:
        for reg in regions:
            rule = rules.get((cat.pk, reg.pk))
            if rule:
                return rule.department
    return None


def region_default() -> Region | None:
    """Return where public submissions without a region go: the first county, else the root."""
    return Region.objects.filter(level="county").order_by("path").first() or Region.objects.order_by("path").first()


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code.strip()).first() if code else None
