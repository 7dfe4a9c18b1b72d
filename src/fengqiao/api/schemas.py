import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from fengqiao.cases.states import Channel


class ErrorOut(Schema):
    detail: str
    detail_en: str = ""
    code: str = ""


class PublicCaseIn(Schema):
    title: str = Field(..., max_length=200, description="标题 / title")
    content: str = Field(..., max_length=20000, description="诉求内容 / content")
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    region_code: str | None = Field(None, max_length=32)
    channel: Literal[tuple(Channel.values)] | None = None  # type: ignore[valid-type]


class StaffCaseIn(PublicCaseIn):
    category_id: int | None = None
    accused_department_id: int | None = Field(None, description="被反映单位 / the department complained about")


class AcceptIn(Schema):
    note: str | None = Field(None, max_length=2000)
    category_id: int | None = None
    accused_department_id: int | None = Field(None, description="被反映单位 / the department complained about")


class TimelineItem(Schema):
    at: dt.datetime
    action: str
    action_label: str
    status: str
    note: str


class PublicCaseOut(Schema):
    query_code: str
    number: str
    title: str
    content: str
    channel: str
    status: str
    status_label: str
    region: str
    created_at: dt.datetime
    reply: str
    rating: str
    can_evaluate: bool
    can_appeal: bool
    timeline: list[TimelineItem]


class EvaluationIn(Schema):
    rating: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    comment: str | None = Field(None, max_length=2000)


class AppealIn(Schema):
    reason: str = Field(..., max_length=2000)


class RegionOut(Schema):
    code: str
    name: str
    level: str


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    region_name: str


class PetitionerOut(Schema):
    name: str
    phone: str
    id_number: str


class CaseOut(Schema):
    id: int
    number: str
    query_code: str
    title: str
    content: str
    channel: str
    status: str
    status_label: str
    level: str
    region: RegionOut
    category: str | None
    lead_department: DepartmentOut | None
    co_departments: list[DepartmentOut]
    petitioner: PetitionerOut | None
    created_at: dt.datetime
    accept_due_at: dt.datetime
    resolve_due_at: dt.datetime | None
    due_at: dt.datetime | None
    colour: str
    reply: str
    last_rating: str
    redo_count: int
    extension_count: int
    appeal_stage: int
    actions: list[str]


class CaseListOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseOut]


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    action_label: str
    actor: str
    from_status: str
    to_status: str
    note: str
    data: dict


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class NoteIn(Schema):
    note: str | None = Field(None, max_length=2000)
    category_id: int | None = None


class DispatchIn(Schema):
    department_id: int
    co_department_ids: list[int] = []
    note: str | None = Field(None, max_length=2000)
    category_id: int | None = None


class ReplyIn(Schema):
    content: str = Field(..., max_length=20000)


class ExtendIn(Schema):
    days: int = Field(..., ge=1, le=365)
    reason: str = Field(..., max_length=2000)


class StaffEvaluationIn(EvaluationIn):
    pass


class SuggestionOut(Schema):
    path: str
    category_id: int | None
    confidence: float
    reasons: list[str]
    department_id: int | None
    department: str


class SimilarOut(Schema):
    id: int
    number: str
    title: str
    score: float


class InsightOut(Schema):
    suggestions: list[SuggestionOut]
    similar: list[SimilarOut]
    is_repeat: bool
    is_skip_level: bool
    flag_reasons: list[str]
    risk_level: str
    risk_reasons: list[str]


class TopicCaseOut(Schema):
    id: int
    number: str
    title: str
    status: str


class TopicOut(Schema):
    name: str
    keywords: list[str]
    heat: float
    count: int
    petitioners: int
    support: int
    open: int
    regions: list[str]
    cases: list[TopicCaseOut]
