from django.apps import AppConfig


class Config(AppConfig):
    name = "fengqiao.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"
