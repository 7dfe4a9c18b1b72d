from django import template

from fengqiao.core.crypto import mask_pii_in_text

register = template.Library()

COLOUR_LABELS = {"red": "已超期", "yellow": "即将到期", "green": "正常", "": "不计时"}


@register.filter
def mask_pii(text) -> str:
    """Mask ID and mobile numbers typed into free text (public pages)."""
    return mask_pii_in_text(str(text or ""))


@register.filter
def colour_label(colour) -> str:
    return COLOUR_LABELS.get(colour or "", "")


@register.inclusion_tag("web/_dot.html")
def dot(colour):
    return {"colour": colour or "none", "label": COLOUR_LABELS.get(colour or "", "")}


@register.inclusion_tag("web/_field.html")
def field(bound_field, css=""):
    return {"field": bound_field, "css": css}
