from django.apps import AppConfig


class Config(AppConfig):
    name = "fengqiao.api"
    label = "fq_api"
    default_auto_field = "django.db.models.BigAutoField"
