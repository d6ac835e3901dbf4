"""Forms of the policies app: the policy document, the rule editor (a formset of conditions), grants.

The rule editor needs no code: each row is one condition (条件项, 运算, 取值 or 下限/上限). Values may be
typed as labels (小型、微型; 槐芽镇) — they are turned into the stored codes here; every business rule
(unknown attribute, bad operator, empty set, min > max …) is checked by ``rules.rules_validate`` and its
Chinese message shown on the row it concerns.
"""

from __future__ import annotations

import re

from django import forms
from django.forms import formset_factory

from yiwang.catalog.models import ItemStatus, ServiceItem

from .models import Policy
from .rules import ATTRIBUTES, MODES, OPERATORS, RuleError, rules_validate

SPLIT = re.compile(r"[,，、;；\s]+")


class PolicyForm(forms.ModelForm):
    steps_text = forms.CharField(
        label="办理流程（每行一步）",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="每行写一步，例如：企业在线申请 → 部门审核 → 公示 → 资金拨付。",
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "issuer",
            "document_number",
            "level",
            "issued_on",
            "effective_on",
            "expires_on",
            "benefit_kind",
            "benefit_amount",
            "benefit_note",
            "no_application",
            "catalog_item",
            "interpretation",
            "full_text",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "interpretation": forms.Textarea(attrs={"rows": 4}),
            "full_text": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_item"].queryset = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("name")
        self.fields["catalog_item"].required = False
        if self.instance.pk:
            self.fields["steps_text"].initial = "\n".join(self.instance.steps or [])
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            if isinstance(widget, forms.Select):
                css = "form-select"
            widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        effective, expires = data.get("effective_on"), data.get("expires_on")
        if effective and expires and expires < effective:
            self.add_error("expires_on", "截止日期不能早于生效日期")
        return data

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["steps"] = [
            line.strip() for line in (self.cleaned_data.get("steps_text") or "").splitlines() if line.strip()
        ]
        return data


class ModeForm(forms.Form):
    mode = forms.ChoiceField(label="条件组合方式", choices=list(MODES.items()), initial="all")
    mode.widget.attrs["class"] = "form-select"


class ConditionForm(forms.Form):
    attribute = forms.ChoiceField(
        label="条件项", choices=[("", "—")] + [(a.name, a.label) for a in ATTRIBUTES.values()], required=False
    )
    operator = forms.ChoiceField(label="运算", choices=[("", "—")] + list(OPERATORS.items()), required=False)
    values = forms.CharField(label="取值（多个用、分隔）", required=False, max_length=500)
    min = forms.CharField(label="下限", required=False, max_length=20)
    max = forms.CharField(label="上限", required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name in ("attribute", "operator") else ("form-control form-control-sm")
            )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(k) for k in ("attribute", "operator", "values", "min", "max"))

    def condition(self, towns_by_name: dict[str, str]) -> dict:
        data = self.cleaned_data
        attribute = ATTRIBUTES.get(data["attribute"])
        condition = {"attribute": data["attribute"] or None, "operator": data["operator"] or None}
        if data["operator"] == "range":
            condition["min"] = data["min"].strip() or None
            condition["max"] = data["max"].strip() or None
            return condition
        values = [v for v in SPLIT.split(data["values"] or "") if v]
        if attribute is not None and attribute.choices:
            by_label = {str(label): code for code, label in attribute.choices}
            values = [by_label.get(v, v) for v in values]
        if attribute is not None and attribute.name == "town":
            values = [towns_by_name.get(v, v) for v in values]
        condition["values"] = values
        return condition


BaseConditionFormSet = formset_factory(ConditionForm, extra=2, can_delete=True)


class ConditionFormSet(BaseConditionFormSet):
    """The rows of the rule editor; ``rules`` is the validated rule after ``is_valid``."""

    def __init__(self, *args, mode: str = "all", towns: dict[str, str] | None = None, valid_towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.towns_by_name = {name: code for code, name in (towns or {}).items()}
        self.valid_towns = valid_towns
        self.rules = None

    def clean(self):
        if any(self.errors):
            return
        kept = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.is_blank():
                continue
            kept.append(form)
        rules = {"mode": self.mode, "conditions": [f.condition(self.towns_by_name) for f in kept]}
        try:
            self.rules = rules_validate(rules, valid_towns=self.valid_towns)
        except RuleError as error:
            for index, message in error.errors:
                if index is None:
                    raise forms.ValidationError(message) from None
                kept[index].add_error(None, message)
            raise forms.ValidationError("享受条件有误，请按提示修改") from None


def initial_conditions(rules: dict, towns: dict[str, str]) -> list[dict]:
    rows = []
    for condition in (rules or {}).get("conditions") or []:
        attribute = ATTRIBUTES.get(condition.get("attribute"))
        values = condition.get("values") or []
        if attribute is not None and attribute.choices:
            labels = {code: str(label) for code, label in attribute.choices}
            values = [labels.get(v, v) for v in values]
        if attribute is not None and attribute.name == "town":
            values = [towns.get(v, v) for v in values]
        rows.append(
            {
                "attribute": condition.get("attribute"),
                "operator": condition.get("operator"),
                "values": "、".join(values),
                "min": condition.get("min") or "",
                "max": condition.get("max") or "",
            }
        )
    return rows


class ApplyForm(forms.Form):
    contact_name = forms.CharField(label="联系人", max_length=64)
    contact_phone = forms.RegexField(
        label="联系电话", regex=r"^1\d{10}$", error_messages={"invalid": "请输入11位手机号码"}
    )
    note = forms.CharField(label="补充说明（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class GrantForm(forms.Form):
    amount = forms.DecimalField(label="兑现金额（元）", min_value=0, max_digits=14, decimal_places=2, required=False)
    amount.widget.attrs["class"] = "form-control"
