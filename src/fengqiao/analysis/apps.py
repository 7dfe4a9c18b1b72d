from django.apps import AppConfig


class Config(AppConfig):
    name = "fengqiao.analysis"
    label = "analysis"
    default_auto_field = "django.db.models.BigAutoField"
