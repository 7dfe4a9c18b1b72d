"""The case state machine and the role × action matrix, in one place."""

from django.db import models

from fengqiao.org.models import Role


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    DISPATCHED = "dispatched", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    RETURNED = "returned", "已退单"
    REPLIED = "replied", "已答复"
    EVALUATED = "evaluated", "已评价"
    CLOSED = "closed", "已办结"


class Channel(models.TextChoices):
    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    ONLINE = "online", "网上信访"
    HOTLINE = "hotline", "12345热线"
    GRID = "grid", "网格上报"
    QRCODE = "qrcode", "扫码报事"
    POLICE = "police", "110非警情"
    VIDEO = "video", "视频接访"
    COURT = "court", "诉调/访调"
    REPRESENTATIVE = "representative", "代表委员转交"


class Level(models.TextChoices):
    VILLAGE = "village", "村(社区)"
    TOWN = "town", "乡镇(街道)"
    COUNTY = "county", "县(区)"
    CITY = "city", "市"


LEVEL_ORDER = [Level.VILLAGE, Level.TOWN, Level.COUNTY, Level.CITY]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Action(models.TextChoices):
    REGISTER = "register", "登记"
    ACCEPT = "accept", "受理"
    REJECT = "reject", "不予受理"
    DISPATCH = "dispatch", "交办"
    CLAIM = "claim", "签收"
    RETURN = "return", "退单"
    ESCALATE = "escalate", "提级"
    EXTEND = "extend", "延期"
    REPLY = "reply", "答复"
    EVALUATE = "evaluate", "评价"
    REDO = "redo", "重办"
    CLOSE = "close", "办结"
    REVIEW = "review", "申请复查/复核"
    ATTACH = "attach", "上传附件"
    REVEAL = "reveal", "查看个人信息"


S = Status
# action → statuses it may start from. Nothing else changes a case's status.
ALLOWED_FROM: dict[str, set[str]] = {
    Action.ACCEPT: {S.REGISTERED},
    Action.REJECT: {S.REGISTERED},
    Action.DISPATCH: {S.ACCEPTED, S.RETURNED, S.EVALUATED},
    Action.CLAIM: {S.DISPATCHED},
    Action.RETURN: {S.DISPATCHED, S.IN_PROGRESS},
    Action.ESCALATE: {S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS},
    Action.EXTEND: {S.DISPATCHED, S.IN_PROGRESS},
    Action.REPLY: {S.IN_PROGRESS},
    Action.EVALUATE: {S.REPLIED},
    Action.CLOSE: {S.REPLIED, S.EVALUATED},
    Action.REVIEW: {S.CLOSED},
}

R = Role
_INTAKE = {R.CLERK, R.DISPATCHER, R.LEADER, R.ADMIN}
_HANDLING = {R.HANDLER, R.MEDIATOR, R.GRID_WORKER, R.ADMIN}
# action → roles that may do it (jurisdiction and department are checked on top of this).
ROLES_FOR: dict[str, set[str]] = {
    Action.REGISTER: _INTAKE | {R.GRID_WORKER, R.MEDIATOR},
    Action.ACCEPT: _INTAKE,
    Action.REJECT: _INTAKE,
    Action.DISPATCH: {R.DISPATCHER, R.LEADER, R.ADMIN, R.SUPERVISOR},
    Action.CLAIM: _HANDLING,
    Action.RETURN: _HANDLING,
    Action.ESCALATE: {R.DISPATCHER, R.LEADER, R.ADMIN} | _HANDLING,
    Action.EXTEND: {R.LEADER, R.SUPERVISOR, R.ADMIN},
    Action.REPLY: _HANDLING,
    Action.EVALUATE: {R.CLERK, R.DISPATCHER, R.ADMIN},
    Action.CLOSE: {R.CLERK, R.DISPATCHER, R.LEADER, R.SUPERVISOR, R.ADMIN},
    Action.REVIEW: _INTAKE,
    Action.ATTACH: _INTAKE | _HANDLING | {R.SUPERVISOR},
    Action.REVEAL: {R.CLERK, R.DISPATCHER, R.LEADER, R.ADMIN, R.HANDLER, R.MEDIATOR},
}

# Actions done by someone working in the lead department, not by the dispatching side.
DEPARTMENT_ACTIONS = {Action.CLAIM, Action.RETURN, Action.REPLY}
# Only supervisors decide a case whose re-handling was rated dissatisfied again.
SUPERVISOR_DECIDES = {R.SUPERVISOR, R.ADMIN}

TRANSITION_ACTIONS = [
    Action.ACCEPT, Action.REJECT, Action.DISPATCH, Action.CLAIM, Action.RETURN, Action.ESCALATE,
    Action.EXTEND, Action.REPLY, Action.EVALUATE, Action.CLOSE, Action.REVIEW,
]

OPEN_STATUSES = {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.REPLIED, S.EVALUATED}
