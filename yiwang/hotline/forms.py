"""Forms check the shape of input only; the rules live in the services."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.limits import text_limit
from yiwang.hotline import selectors
from yiwang.hotline.models import Appeal, Category, KnowledgeEntry, Reply, Revisit, UnresolvedMatter
from yiwang.org.models import Department, Region


def _department_choices():
    return Department.objects.filter(is_active=True).order_by("kind", "code")


class _TownVillageMixin:
    def _setup_places(self):
        self.fields["town"].queryset = selectors.towns()
        town = None
        town_code = self.data.get(self.add_prefix("town")) if self.is_bound else None
        if town_code:
            town = Region.objects.filter(pk=town_code).first() if str(town_code).isdigit() else None
        self.fields["village"].queryset = (
            selectors.villages(town) if town else Region.objects.filter(level=Region.Level.VILLAGE)
        )


class _SubmissionKeyMixin:
    """A hidden one-time key: a double-clicked or resent form creates one record, not two."""

    def _setup_submission_key(self):
        self.fields["submission_key"] = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
        if not self.is_bound:
            self.initial["submission_key"] = secrets.token_urlsafe(24)


class PublicAppealForm(_TownVillageMixin, forms.Form):
    """The portal column's submission form (有问必应、接诉即办)."""

    kind = forms.ChoiceField(
        label=_("诉求类型"), choices=Appeal.Kind.choices, widget=forms.RadioSelect, initial="complaint"
    )
    title = forms.CharField(label=_("标题"), max_length=120, help_text=_("一句话概括您的诉求，如“××村通村路坑洼”"))
    content = forms.CharField(
        label=_("诉求内容"),
        max_length=text_limit("APPEAL_CONTENT"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("时间、地点、事情经过和您的诉求"),
    )
    town = forms.ModelChoiceField(
        label=_("所在镇（街道）"), queryset=Region.objects.none(), required=False, empty_label=_("请选择")
    )
    village = forms.ModelChoiceField(
        label=_("村（社区）"), queryset=Region.objects.none(), required=False, empty_label=_("请选择")
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("匿名反映（不留姓名；可留电话以便回访）"), required=False)
    contact_name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    public_consent = forms.BooleanField(
        label=_("同意在本专栏公开诉求和答复（姓名、电话等个人信息将脱敏）"), required=False
    )
    confirm_not_emergency = forms.BooleanField(label=_("我确认这不是正在发生的紧急情况"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_places()
        if not self.is_bound:
            self.initial["submission_key"] = secrets.token_urlsafe(24)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("受理编号"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    # A non-consented appeal is shown only with the last four digits of the phone left with it.
    phone_last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("请填写留下的手机号的后四位数字")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": "4"}),
    )


class IntakeForm(_SubmissionKeyMixin, _TownVillageMixin, forms.Form):
    """The operator's form during a call: ordered as the conversation goes, keyboard first."""

    ACTIONS = [("register", _("登记并转派单")), ("answer", _("直接办结")), ("decline", _("不予受理"))]

    contact_phone = forms.CharField(
        label=_("来电号码"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autofocus": True, "autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label=_("来电人姓名"), max_length=64, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[c for c in Appeal.Channel.choices if c[0] in ("phone", "counter", "letter")],
        initial="phone",
    )
    kind = forms.ChoiceField(
        label=_("诉求类型"), choices=Appeal.Kind.choices, widget=forms.RadioSelect, initial="complaint"
    )
    town = forms.ModelChoiceField(
        label=_("镇（街道）"), queryset=Region.objects.none(), required=False, empty_label=_("未知")
    )
    village = forms.ModelChoiceField(
        label=_("村（社区）"), queryset=Region.objects.none(), required=False, empty_label=_("未知")
    )
    address = forms.CharField(
        label=_("详细地址"), max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    title = forms.CharField(label=_("标题"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    content = forms.CharField(
        label=_("诉求内容"), max_length=text_limit("APPEAL_CONTENT"), widget=forms.Textarea(attrs={"rows": 5})
    )
    tier = forms.ChoiceField(label=_("办理等级"), choices=Appeal.Tier.choices, initial="general")
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False, empty_label=_("由派单员确定")
    )
    public_consent = forms.BooleanField(label=_("来电人同意公开（脱敏）"), required=False)
    knowledge_entry = forms.ModelChoiceField(
        queryset=KnowledgeEntry.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )
    answer = forms.CharField(
        label=_("答复内容（直接办结时）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decline_reason = forms.ChoiceField(
        label=_("不予受理原因"), choices=[("", _("请选择")), *Appeal.DeclineReason.choices], required=False
    )
    action = forms.ChoiceField(choices=ACTIONS, initial="register", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_places()
        self.fields["category"].queryset = selectors.categories()
        self._setup_submission_key()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "answer":
            if data.get("kind") != Appeal.Kind.CONSULTATION:
                self.add_error("kind", _("只有咨询类诉求可以直接办结"))
            if not (data.get("answer") or "").strip() and not data.get("knowledge_entry"):
                self.add_error("answer", _("请填写答复内容或选用知识库口径"))
        if action == "decline" and not data.get("decline_reason"):
            self.add_error("decline_reason", _("请选择不予受理原因"))
        return data


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("主办部门"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    tier = forms.ChoiceField(label=_("办理等级"), choices=Appeal.Tier.choices)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False)
    note = forms.CharField(label=_("派单意见"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _department_choices()
        self.fields["co_departments"].queryset = _department_choices()
        self.fields["category"].queryset = selectors.categories()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("退单理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideReturnForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核"),
        choices=[("1", _("同意退单并改派")), ("0", _("驳回退单"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    department = forms.ModelChoiceField(
        label=_("改派至"), queryset=Department.objects.none(), required=False, empty_label=_("请选择")
    )
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _department_choices()


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延期（工作日）"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核"),
        choices=[("1", _("同意")), ("0", _("驳回"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(label=_("批准天数（工作日）"), min_value=1, max_value=30, required=False)
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class ReplyForm(forms.Form):
    result = forms.ChoiceField(label=_("办理结果"), choices=Reply.Result.choices)
    content = forms.CharField(
        label=_("答复内容"), max_length=text_limit("REPLY"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class RevisitForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("问题是否解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"), choices=Revisit.Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )
    within_power = forms.BooleanField(label=_("不满意原因属部门职权范围（将重办）"), required=False)
    comment = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("合并至（受理编号）"), max_length=20)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("不予受理原因"), choices=Appeal.DeclineReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class AnswerForm(forms.Form):
    knowledge_entry = forms.ModelChoiceField(
        label=_("知识库口径"), queryset=KnowledgeEntry.objects.filter(is_active=True), required=False
    )
    content = forms.CharField(
        label=_("答复内容"), max_length=text_limit("REPLY"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class OpinionForm(forms.Form):
    note = forms.CharField(label=_("协办意见"), widget=forms.Textarea(attrs={"rows": 2}))


class UnresolvedForm(_SubmissionKeyMixin, forms.Form):
    channel = forms.ChoiceField(label=_("反映方式"), choices=UnresolvedMatter.Channel.choices)
    tier = forms.ChoiceField(label=_("分级"), choices=UnresolvedMatter.Tier.choices)
    summary = forms.CharField(label=_("事项摘要"), max_length=120)
    description = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("归口部门"), queryset=Department.objects.none(), required=False)
    town = forms.ModelChoiceField(label=_("镇（街道）"), queryset=Region.objects.none(), required=False)
    reporter_name = forms.CharField(label=_("反映人"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    resolution = forms.ChoiceField(
        label=_("现场办结结果（简单事项）"),
        choices=[("", _("未当场办结")), *UnresolvedMatter.Resolution.choices],
        required=False,
    )
    resolution_note = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories()
        self.fields["department"].queryset = _department_choices()
        self.fields["town"].queryset = selectors.towns()
        self._setup_submission_key()


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("办理结果"), choices=UnresolvedMatter.Resolution.choices)
    note = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 2}))
