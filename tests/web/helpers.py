"""Shared builders for the page tests: cases made through the services, HTML excerpts."""

import datetime as dt
import re

from django.utils import timezone

from fengqiao.cases import services

PHONE = "13812348000"
ID_NUMBER = "11010519491231002X"
# Smallest valid PNG header: enough for the upload check, which reads the first bytes.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def petitioner(**kw) -> services.PetitionerData:
    return services.PetitionerData(**{"name": "王小明", "phone": PHONE, "id_number": ID_NUMBER, "address": "柳塘村3组", **kw})


def register(world, *, title="小区电梯坏了", region=None, days_ago=0, actor=None, category=None, **kw):
    created_at = timezone.now() - dt.timedelta(days=days_ago) if days_ago else None
    case, _ = services.case_register(
        title=title, content=kw.pop("content", "电梯停运一周无人修理，老人上下楼困难"), channel=kw.pop("channel", "online"),
        region=region or world.town, actor=actor, petitioner=kw.pop("petitioner", petitioner()), category=category,
        created_at=created_at, **kw,
    )
    return case


def replied(world, **kw):
    case = register(world, **kw)
    services.case_accept(case=case, actor=world.clerk)
    services.case_dispatch(case=case, actor=world.dispatcher, department=world.housing)
    services.case_claim(case=case, actor=world.handler)
    return services.case_reply(case=case, actor=world.handler, content="已联系物业公司，电梯已于周五修复并通过检验")


def section(html: str, css_class: str) -> str:
    """Return the inner HTML of the first <ol>/<table>/<section> carrying `css_class`."""
    m = re.search(rf'<(ol|table|div|section) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    assert m, f"no element with class {css_class!r}"
    return m.group(2)


def text(response) -> str:
    return response.content.decode()
