"""Input shape for the case pages. Business rules live in the services; forms only check shape.

The application form is built from the item version's (or the bundle's merged) form fields, plus the
applicant's identity, the delivery method and one file input per material.
"""

from __future__ import annotations

import secrets

from django import forms

from yiwang.catalog.selectors import FormFieldSpec, MaterialSpec

from .models import ApplicantKind, DeliveryMethod, PauseKind

IDENTITY_KEYS = {
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "entity_name",
    "entity_uscc",
    "contact_phone",
}
FIELD_WIDGETS = {
    "textarea": lambda: forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    "number": lambda: forms.NumberInput(attrs={"class": "form-control"}),
    "date": lambda: forms.DateInput(attrs={"type": "date", "class": "form-control"}),
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = False


class ApplicationForm(forms.Form):
    """One application: who applies, the item's form fields, delivery, and materials as files."""

    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices, widget=forms.RadioSelect)
    applicant_name = forms.CharField(label="申请人（单位名称或姓名）", max_length=200)
    applicant_id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    applicant_uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    applicant_phone = forms.CharField(label="联系电话", max_length=12, required=False)
    delivery_method = forms.ChoiceField(label="出件方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    postal_address = forms.CharField(label="邮寄地址", max_length=255, required=False)
    submission_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        form_fields: tuple[FormFieldSpec, ...],
        materials: tuple[MaterialSpec, ...],
        delivery_choices: list,
        kinds: list,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.form_field_keys = []
        self.material_fields = []
        self.fields["applicant_kind"].choices = [(k, ApplicantKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["applicant_kind"].initial = kinds[0]
        self.fields["delivery_method"].choices = delivery_choices
        if delivery_choices:
            self.fields["delivery_method"].initial = delivery_choices[0][0]
        for spec in form_fields:
            if spec.key in IDENTITY_KEYS:
                continue
            widget = FIELD_WIDGETS.get(spec.type, lambda: forms.TextInput(attrs={"class": "form-control"}))()
            self.fields[f"f_{spec.key}"] = forms.CharField(
                label=spec.label, required=spec.required, max_length=2000, widget=widget
            )
            self.form_field_keys.append(spec.key)
        for material in materials:
            name = f"m_{material.code}"
            help_text = "可容缺后补" if material.deferrable else ""
            if material.licence_type:
                help_text = f"持有有效电子证照（{material.licence_type}）的可免于上传"
            self.fields[name] = forms.FileField(
                label=material.name,
                required=False,
                help_text=help_text,
                widget=MultipleFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
            )
            self.material_fields.append((name, material))
        for field in self.fields.values():
            if (
                not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput)
                and "class" not in field.widget.attrs
            ):
                field.widget.attrs["class"] = "form-control"

    def form_data(self) -> dict:
        return {key: self.cleaned_data.get(f"f_{key}", "") for key in self.form_field_keys}

    def files_by_code(self) -> dict:
        result = {}
        for name, material in self.material_fields:
            upload = self.cleaned_data.get(name)
            if upload:
                result[material.code] = [upload]
        return result

    @property
    def dynamic_fields(self):
        return [self[f"f_{key}"] for key in self.form_field_keys]

    @property
    def material_bound_fields(self):
        return [(self[name], material) for name, material in self.material_fields]


class UploadForm(forms.Form):
    material = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(
        label="选择文件",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class StatusLookupForm(forms.Form):
    number = forms.CharField(
        label="办件编号", max_length=24, widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
    )
    code = forms.CharField(
        label="查询码", max_length=8, widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="不予受理理由", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False
    )
    legal_basis = forms.CharField(label="依据", widget=forms.TextInput(attrs={"class": "form-control"}), required=False)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label="本环节意见", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False
    )


class PauseForm(forms.Form):
    kind = forms.ChoiceField(
        label="暂停事由（行政许可法第四十五条）",
        choices=PauseKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label="具体情况", widget=forms.TextInput(attrs={"class": "form-control"}), required=False)


class ExtensionForm(forms.Form):
    reason = forms.CharField(label="延期理由", widget=forms.TextInput(attrs={"class": "form-control"}), required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="办理决定", choices=[("approved", "准予"), ("denied", "不予许可")], widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), required=False
    )
    legal_basis = forms.CharField(label="依据", widget=forms.TextInput(attrs={"class": "form-control"}), required=False)


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(
        label="出件方式", choices=DeliveryMethod.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    tracking_number = forms.CharField(
        label="邮件单号", max_length=40, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    recipient = forms.CharField(
        label="领取人", max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class KioskIdentifyForm(forms.Form):
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "off", "inputmode": "text"}
        ),
    )
    name = forms.CharField(
        label="姓名",
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "off"}),
    )


class HelpRequestForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64, widget=forms.TextInput(attrs={"class": "form-control"}))
    phone = forms.CharField(
        label="联系电话", max_length=12, widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"})
    )
    topic = forms.CharField(label="想办理的事", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    description = forms.CharField(
        label="遇到的问题", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="起始日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="截止日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )

    def clean(self):
        from yiwang.core.errors import ApplicationError
        from yiwang.core.periods import period_check

        data = super().clean()
        try:
            period_check(data.get("start"), data.get("end"))
        except ApplicationError as error:
            self.error_code = error.code
            self.add_error(error.details.get("field"), error.message)
        return data
