from django.conf import settings
from django.db import models


class RiskLevel(models.TextChoices):
    RED = "red", "红色预警"
    ORANGE = "orange", "橙色预警"
    YELLOW = "yellow", "黄色预警"
    BLUE = "blue", "蓝色预警"


class CaseInsight(models.Model):
    """What the analysis found about one case: routing suggestions, similar and repeat cases, risk."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="insight")
    computed_at = models.DateTimeField()
    model_version = models.IntegerField(default=0)
    suggestions = models.JSONField(default=list)  # [{category_id, path, confidence, reasons, department_id, department}]
    similar = models.JSONField(default=list)  # [{id, number, title, score}]
    is_repeat = models.BooleanField("重复信访", default=False, db_index=True)
    is_skip_level = models.BooleanField("越级访", default=False, db_index=True)
    repeat_of = models.JSONField(default=list)
    flag_reasons = models.JSONField(default=list)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True, db_index=True)
    risk_score = models.FloatField(default=0)
    risk_reasons = models.JSONField(default=list)


class RoutingLabel(models.Model):
    """A dispatcher's decision on a case's category: confirmed or corrected. The model learns from these."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="routing_labels")
    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    suggested_path = models.CharField(max_length=320, blank=True)
    confirmed = models.BooleanField(default=False)
