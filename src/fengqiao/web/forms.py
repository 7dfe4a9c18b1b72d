"""Forms of the public portal and the staff console. They parse input; the services decide."""

import re
import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from fengqiao.cases.models import Category
from fengqiao.cases.services import ALLOWED_UPLOADS, MAX_UPLOAD_BYTES
from fengqiao.cases.states import Channel, Rating, Status
from fengqiao.org.models import Department, Region
from fengqiao.org.selectors import region_scope_path
from fengqiao.org.services import staff_totp_verify

_KEY_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        if obj.parent_id and obj.level in ("village", "grid"):
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.path.replace("/", " › ")


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.name}（{obj.region.name}）"


class DepartmentMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.name}（{obj.region.name}）"


def _categories():
    return Category.objects.filter(depth=3).order_by("path")


class IdempotentForm(forms.Form):
    """Carries a key generated per render, so that submitting the same page twice makes one case."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_key", uuid.uuid4().hex)

    def clean_form_key(self) -> str:
        key = (self.cleaned_data.get("form_key") or "").strip()
        return key if _KEY_RE.match(key) else ""


def _check_upload(upload):
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError("附件不能超过10MB")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED_UPLOADS):
        raise forms.ValidationError("只接受 JPG、PNG 图片或 PDF 文件")
    return upload


# ---------------------------------------------------------------- public portal


class SubmitForm(IdempotentForm):
    title = forms.CharField(label="标题", max_length=200, help_text="一句话说明您反映的事情")
    content = forms.CharField(
        label="具体内容", min_length=5, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "什么时间、什么地点、发生了什么，希望怎样解决"}),
    )
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False, help_text="选填")
    address = forms.CharField(label="联系地址", max_length=200)
    region = RegionChoiceField(
        label="事发地（乡镇 / 村）", queryset=Region.objects.none(), required=False, empty_label="不清楚 / 由工作人员确定",
    )
    attachment = forms.FileField(label="附件", required=False, help_text="选填；JPG、PNG 图片或 PDF，不超过10MB")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.filter(level__in=("town", "village")).select_related("parent").order_by("path")
        )

    def clean_attachment(self):
        return _check_upload(self.cleaned_data.get("attachment"))


class TrackForm(forms.Form):
    code = forms.CharField(
        label="查询码", max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "例如 ABCD-EFGH-JKMN", "autocapitalize": "characters", "autocomplete": "off"}),
    )


class EvaluationForm(forms.Form):
    rating = forms.ChoiceField(label="您对答复的评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见或建议", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    reason = forms.CharField(
        label="申请理由", min_length=5, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "请说明您对答复不认可的地方"}),
    )


# ---------------------------------------------------------------- staff console


class LoginForm(AuthenticationForm):
    """Django's login form, saying so when the account is locked after repeated failures."""

    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（连续输错5次将锁定15分钟）",
        "inactive": "该账号已停用，请联系管理员",
    }

    otp = forms.CharField(
        label="动态验证码", required=False, max_length=8,
        help_text="已开启两步验证的账号请填写身份验证器上的6位数字",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def clean(self):
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            locked = getattr(self.request, "login_locked_until", None)
            if locked:
                raise forms.ValidationError(
                    f"登录失败次数过多，账号已锁定，请在 {timezone.localtime(locked):%H:%M} 后再试", code="locked"
                )
            raise
        if self.user_cache is not None and not staff_totp_verify(staff=self.user_cache, code=cleaned.get("otp", "")):
            self.user_cache = None
            raise forms.ValidationError("动态验证码不正确或已过期（两步验证）", code="bad_otp")
        return cleaned

QUEUE_STATUS_CHOICES = [("", "我的待办"), ("open", "全部未办结"), ("all", "全部")] + list(Status.choices)
COLOUR_CHOICES = [("", "全部期限"), ("red", "红：已超期"), ("yellow", "黄：即将到期"), ("green", "绿：正常")]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="标题关键词", required=False, max_length=100)
    code = forms.CharField(label="编号或查询码", required=False, max_length=32)
    status = forms.ChoiceField(label="状态", required=False, choices=QUEUE_STATUS_CHOICES)
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部渠道")] + list(Channel.choices))
    colour = forms.ChoiceField(label="期限", required=False, choices=COLOUR_CHOICES)
    mine = forms.BooleanField(label="只看我的", required=False)


class IntakeForm(IdempotentForm):
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.VISIT)
    name = forms.CharField(label="信访人姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    address = forms.CharField(label="联系地址", max_length=200, required=False)
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="诉求内容", min_length=5, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    region = RegionChoiceField(label="所属地区", queryset=Region.objects.none())
    category = CategoryChoiceField(label="分类", queryset=Category.objects.none(), required=False, empty_label="暂不分类")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.filter(path__startswith=region_scope_path(staff)).select_related("parent").order_by("path")
        )
        if staff.region_id and not self.is_bound:
            self.initial.setdefault("region", staff.region_id)
        self.fields["category"].queryset = _categories()


class EmptyForm(forms.Form):
    """An action that needs no input (签收)."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label="备注", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(NoteForm):
    field_order = ["category", "accused_department", "note"]
    category = CategoryChoiceField(label="分类", queryset=Category.objects.none(), required=False, empty_label="暂不分类")
    accused_department = DepartmentChoiceField(
        label="被反映单位", queryset=Department.objects.none(), required=False, empty_label="无（不涉及具体单位）",
        help_text="反映的是某单位或其工作人员时请选择；该单位将不能办理也看不到此件",
    )

    def __init__(self, *args, staff=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["accused_department"].queryset = Department.objects.filter(active=True).select_related("region")
        if case is not None and case.category_id and not self.is_bound:
            self.initial.setdefault("category", case.category_id)


class DispatchForm(NoteForm):
    field_order = ["department", "co_departments", "category", "note"]
    department = DepartmentChoiceField(label="牵头单位", queryset=Department.objects.none(), empty_label="请选择")
    co_departments = DepartmentMultipleField(
        label="协办单位", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )
    category = CategoryChoiceField(label="分类", queryset=Category.objects.none(), required=False, empty_label="不变")

    def __init__(self, *args, departments=None, suggested=None, case=None, category_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["co_departments"].queryset = departments
        self.fields["category"].queryset = _categories()
        if not self.is_bound:
            if suggested is not None:
                self.initial.setdefault("department", suggested.pk)
            category_id = category_id or (case.category_id if case is not None else None)
            if category_id:
                self.initial.setdefault("category", category_id)


class ExtendForm(ReasonForm):
    days = forms.IntegerField(label="延期工作日", min_value=1, max_value=365, initial=15)


class ReplyForm(forms.Form):
    content = forms.CharField(label="答复意见", min_length=5, max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))


class StaffEvaluationForm(forms.Form):
    rating = forms.ChoiceField(label="回访评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="回访记录", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看理由", max_length=200, widget=forms.TextInput(attrs={"placeholder": "例如：电话回访"}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label="上传附件")

    def clean_file(self):
        return _check_upload(self.cleaned_data.get("file"))
