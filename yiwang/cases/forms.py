"""Input shape for the case pages. Business rules live in the services; forms only check shape.

The application form is built from the item version's (or the bundle's merged) form fields, plus the
applicant's identity, the delivery method and one file input per material.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from yiwang.catalog.selectors import FormFieldSpec, MaterialSpec
from yiwang.core.identifiers import validate_uscc
from yiwang.core.inputs import clean_date, clean_id_number, clean_mobile, clean_person_name, clean_phone, compact
from yiwang.core.limits import text_limit

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
    "number": lambda: forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    # A text input, not type=date: the browser's date picker would hide what a person typed (2月30日)
    # instead of letting the form say what is wrong with it.
    "date": lambda: forms.TextInput(attrs={"class": "form-control", "placeholder": "如 2026-03-01"}),
    "phone": lambda: forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
}
# Longest answer of a one-line field (the service checks the same, ``services.intake.FORM_TEXT_MAX``);
# a multi-line answer has ``YIWANG_TEXT_LIMITS["FORM_FIELD"]``.
FORM_TEXT_MAX = 200


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = False


def _message(error: ValidationError) -> str:
    return error.messages[0]


def clean_typed_value(kind: str, label: str, value: str, *, limit: int) -> str:
    """One answer of the item's form checked by its type; returns the value to store or raises
    ``ValidationError`` naming the field: numbers, dates that exist, phones, ID numbers, USCCs, lengths."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字（现有 {len(value)} 个）")
    if not value:
        return value
    try:
        if kind == "date":
            return clean_date(value).isoformat()
        if kind == "phone":
            return clean_phone(value)
        if kind == "id_number":
            return clean_id_number(value)
        if kind == "uscc":
            code = compact(value).upper()
            validate_uscc(code)
            return code
        if kind == "number":
            text = compact(value).replace(",", "").replace("，", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValidationError("应填写数字") from None
            if not number.is_finite() or abs(number) >= Decimal("1e15"):
                raise ValidationError("应填写有效的数字")
            return text
    except ValidationError as error:
        raise ValidationError(f"{label}：{_message(error)}") from None
    return value


class ApplicationForm(forms.Form):
    """One application: who applies, the item's form fields, delivery, and materials as files.

    The same form serves online, counter and kiosk intake (``views.common.application_form``). It checks
    what it asks for, each error next to its field: the mobile number (11 digits, 13–19), the ID number
    (GB 11643 check character; the 15-digit legacy number is named as such), the USCC (GB 32100), dates
    that exist, lengths; full-width digits, spaces and dashes are understood. The applicant type is
    preselected from the item's audience; required fields carry ``*`` and ``aria-required``.
    """

    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices, widget=forms.RadioSelect)
    applicant_name = forms.CharField(label="申请人（单位名称或姓名）", max_length=200)
    applicant_id_number = forms.CharField(
        label="身份证号", max_length=24, required=False, help_text="自然人申请必填，18位，末位可能是X"
    )
    applicant_uscc = forms.CharField(
        label="统一社会信用代码", max_length=24, required=False, help_text="企业申请必填，18位"
    )
    applicant_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="11位手机号，用于接收办理进度短信",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    delivery_method = forms.ChoiceField(label="出件方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    postal_address = forms.CharField(label="邮寄地址", max_length=255, required=False, help_text="选择邮寄送达时必填")
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
        self.form_field_specs = {}
        self.material_fields = []
        self.fields["applicant_kind"].choices = [(k, ApplicantKind(k).label) for k in kinds]
        # Preselected from the item's audience (the only kind it accepts, else the first it lists),
        # unless the caller's initial (an enterprise account) names another kind the item accepts.
        if self.initial.get("applicant_kind") not in kinds and kinds:
            self.initial["applicant_kind"] = kinds[0]
        self.fields["delivery_method"].choices = delivery_choices
        if delivery_choices:
            self.fields["delivery_method"].initial = delivery_choices[0][0]
        for spec in form_fields:
            if spec.key in IDENTITY_KEYS:
                continue
            widget = FIELD_WIDGETS.get(spec.type, lambda: forms.TextInput(attrs={"class": "form-control"}))()
            limit = text_limit("FORM_FIELD") if spec.type == "textarea" else FORM_TEXT_MAX
            self.fields[f"f_{spec.key}"] = forms.CharField(
                label=spec.label, required=spec.required, max_length=limit, widget=widget
            )
            self.form_field_keys.append(spec.key)
            self.form_field_specs[spec.key] = (spec, limit)
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
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["aria-required"] = "true"
            field.error_messages["required"] = f"请填写{field.label}" if field.label else "此项必填"
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{field.label}不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）"
                )
        self.fields["applicant_kind"].error_messages["required"] = "请选择申请人类型"
        self.fields["delivery_method"].error_messages["required"] = "请选择出件方式"

    # --- field checks ---

    def clean_applicant_name(self):
        return " ".join((self.cleaned_data.get("applicant_name") or "").split())

    def clean_applicant_phone(self):
        value = self.cleaned_data.get("applicant_phone") or ""
        if not compact(value):
            return ""
        try:
            return clean_mobile(value)
        except ValidationError as error:
            raise ValidationError(f"联系电话不正确：{_message(error)}") from None

    def clean_applicant_id_number(self):
        value = self.cleaned_data.get("applicant_id_number") or ""
        if not compact(value):
            return ""
        try:
            return clean_id_number(value)
        except ValidationError as error:
            raise ValidationError(f"身份证号不正确：{_message(error)}") from None

    def clean_applicant_uscc(self):
        code = compact(self.cleaned_data.get("applicant_uscc") or "").upper()
        if code:
            try:
                validate_uscc(code)
            except ValidationError as error:
                raise ValidationError(_message(error)) from None
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_kind")
        name = data.get("applicant_name")
        if kind == ApplicantKind.PERSON:
            if "applicant_id_number" not in self.errors and not data.get("applicant_id_number"):
                self.add_error("applicant_id_number", "自然人申请请填写身份证号")
            if name and "applicant_name" not in self.errors:
                try:
                    data["applicant_name"] = clean_person_name(name)
                except ValidationError as error:
                    self.add_error("applicant_name", f"申请人姓名：{_message(error)}")
        elif kind == ApplicantKind.ENTERPRISE:
            if "applicant_uscc" not in self.errors and not data.get("applicant_uscc"):
                self.add_error("applicant_uscc", "企业申请请填写统一社会信用代码")
            if name and len(name) < 4:
                self.add_error("applicant_name", "请填写营业执照上的单位全称")
        if data.get("delivery_method") == DeliveryMethod.POST and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", "选择邮寄送达时请填写邮寄地址")
        for key, (spec, limit) in self.form_field_specs.items():
            name = f"f_{key}"
            if name in self.errors or name not in data:
                continue
            try:
                data[name] = clean_typed_value(spec.type, spec.label, data[name], limit=limit)
            except ValidationError as error:
                self.add_error(name, error)
        return data

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
        max_length=24,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "off", "inputmode": "text"}
        ),
    )
    name = forms.CharField(
        label="姓名",
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "off"}),
    )

    def clean_id_number(self):
        # The same check as the application form (a 15-digit legacy number, a wrong check character…).
        try:
            return clean_id_number(self.cleaned_data["id_number"])
        except ValidationError as error:
            raise ValidationError(f"身份证号不正确：{_message(error)}，请重新读卡或输入") from None

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class HelpRequestForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64, widget=forms.TextInput(attrs={"class": "form-control"}))
    phone = forms.CharField(
        label="联系电话", max_length=20, widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"})
    )
    topic = forms.CharField(label="想办理的事", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    description = forms.CharField(
        label="遇到的问题", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(f"联系电话不正确：{_message(error)}") from None


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
