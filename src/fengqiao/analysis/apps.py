from django.apps import AppConfig


class Config(AppConfig):
    name = "fengqiao.analysis"
    label = "analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fengqiao.analysis import listeners
        from fengqiao.cases import hooks

        hooks.subscribe(hooks.REGISTERED, listeners.on_case_registered)
        hooks.subscribe(hooks.ACCEPTED, listeners.on_case_accepted)
        hooks.subscribe(hooks.DISPATCHED, listeners.on_case_dispatched)
