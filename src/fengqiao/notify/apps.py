from django.apps import AppConfig


class Config(AppConfig):
    name = "fengqiao.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
