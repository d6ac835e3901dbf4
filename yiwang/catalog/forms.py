"""Forms: input shape only. Business rules live in services; their errors come back as form errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Department

from .elements import ITEM_FIELDS
from .models import Audience, ItemKind, ItemLevel, ItemStatus, OnlineDepth


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render ``{{ field }}`` as is."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _choices(choices, blank_label):
    return [("", blank_label), *[(value, label) for value, label in choices if value != ""]]


class SearchForm(BootstrapMixin, forms.Form):
    """Public catalog search; unknown filter values are dropped, never an error page."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    department = forms.ChoiceField(label=_("部门"), required=False)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=_choices(ItemLevel.choices, _("全部层级")))
    kind = forms.ChoiceField(label=_("事项类型"), required=False, choices=_choices(ItemKind.choices, _("全部类型")))
    bundle = forms.ChoiceField(label=_("一件事（生活事件）"), required=False)
    depth = forms.TypedChoiceField(
        label=_("网办深度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_choices(OnlineDepth.choices, _("全部")),
    )
    audience = forms.ChoiceField(label=_("服务对象"), required=False, choices=_choices(Audience.choices, _("全部")))

    def __init__(self, *args, departments=(), bundles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", _("全部部门")),
            *[(d.code, d.short_name or d.name) for d in departments],
        ]
        self.fields["bundle"].choices = [("", _("全部")), *[(b.code, b.name) for b in bundles]]
        self._style()

    def filters(self) -> dict:
        # Invalid values (a stale link) are dropped: cleaned_data keeps only the valid fields.
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "department": data.get("department") or None,
            "level": data.get("level") or None,
            "kind": data.get("kind") or None,
            "bundle": data.get("bundle") or None,
            "online_depth": data.get("depth") or None,
            "audience": data.get("audience") or None,
        }


class StaffFilterForm(SearchForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(ItemStatus.choices, _("全部状态")))
    problems = forms.BooleanField(label=_("只看有问题的事项"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def filters(self) -> dict:
        data = super().filters()
        cleaned = getattr(self, "cleaned_data", {})
        data["status"] = cleaned.get("status") or None
        data["problems_only"] = bool(cleaned.get("problems"))
        return data


class ImportForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    reason = forms.CharField(
        label=_("导入依据或调整理由"), max_length=500, help_text=_("如：文件文号、调整依据。将记入每个版本。")
    )
    baseline = forms.BooleanField(
        label=_("初始清单：新增事项直接发布（仅管理员；已有事项仍须交叉审核）"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的文件"))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 10 MB"))
        return upload


class ReviewForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("approve", _("通过并发布")), ("reject", _("退回"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("审核意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ProposalForm(BootstrapMixin, forms.Form):
    """Every scalar element of an item plus the reason; materials and form fields are kept as they are
    (they change through the Excel template)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("kind", "code")
        for spec in ITEM_FIELDS:
            if spec.key == "code":
                continue
            label = spec.label
            if spec.type == "department":
                field = forms.ChoiceField(label=label, choices=[(d.code, d.name) for d in departments])
            elif spec.type == "bool":
                field = forms.BooleanField(label=label, required=False)
            elif spec.type == "int":
                field = forms.IntegerField(label=label, min_value=0, max_value=999)
            elif spec.type == "?int":
                help_text = _("留空表示无法定时限") if spec.key == "legal_days" else _("留空表示未列明")
                field = forms.IntegerField(label=label, min_value=0, max_value=999, required=False, help_text=help_text)
            elif spec.type == "?bool":
                field = forms.NullBooleanField(
                    label=label,
                    required=False,
                    widget=forms.Select(choices=[("unknown", _("未列明")), ("true", _("是")), ("false", _("否"))]),
                )
            elif spec.type == "region":
                field = forms.CharField(
                    label=label, required=False, max_length=12, help_text=_("区划代码；留空为主管部门所在区划")
                )
            elif spec.type == "depth":
                field = forms.TypedChoiceField(label=label, choices=OnlineDepth.choices, coerce=int)
            elif spec.type == "enum":
                field = forms.ChoiceField(label=label, choices=spec.choices.choices, required=spec.required)
            elif spec.type == "text":
                field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
            else:
                field = forms.CharField(label=label, required=spec.required, max_length=spec.max_length)
            self.fields[spec.key] = field
        self.fields["reason"] = forms.CharField(
            label=_("调整理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
        )
        self._style()

    def elements(self, current: dict) -> dict:
        data = {**current}
        for key, value in self.cleaned_data.items():
            if key != "reason":
                nullable = key in ("legal_days", "fee_charged")
                data[key] = value if value is not None or nullable else ""
        return data
