"""Small helpers shared by the page views."""

from django import forms

from fengqiao.core.errors import DomainError

# Domain error codes that belong to one input field; others are shown above the form.
FIELD_FOR_CODE = {"invalid_id_number": "id_number", "invalid_phone": "phone"}


def form_add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a refusal from a service on the form, beside the field it concerns when known."""
    field = FIELD_FOR_CODE.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
