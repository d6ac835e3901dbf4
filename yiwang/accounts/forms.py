"""Input shape of the applicant account pages (the rules are in ``services``)."""

from django import forms
from django.core.exceptions import ValidationError

from yiwang.accounts.models import EnterpriseAuthorisation
from yiwang.core.inputs import clean_id_number, clean_mobile, clean_person_name

_INPUT = {"class": "form-control form-control-lg"}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        error_messages={"required": "请填写手机号", "max_length": "手机号应为11位数字"},
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "tel", "autocomplete": "tel", "aria-required": "true"}),
    )

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(
        label="短信验证码",
        max_length=12,
        error_messages={"required": "请填写短信验证码"},
        widget=forms.TextInput(
            attrs={**_INPUT, "inputmode": "numeric", "autocomplete": "one-time-code", "aria-required": "true"}
        ),
    )

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class RealNameForm(forms.Form):
    name = forms.CharField(
        label="姓名",
        max_length=30,
        error_messages={"required": "请填写姓名"},
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "name", "aria-required": "true"}),
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=24,
        error_messages={"required": "请填写身份证号码", "max_length": "身份证号码应为18位"},
        help_text="18位，末位可能是X",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "aria-required": "true"}),
    )

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])


class AuthorisationForm(forms.Form):
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=24,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "aria-required": "true"}),
    )
    basis = forms.ChoiceField(label="授权依据", choices=EnterpriseAuthorisation.Basis.choices, widget=forms.RadioSelect)
    letter = forms.FileField(
        label="授权委托书（加盖企业公章，PDF 或图片）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_letter(self):
        from yiwang.cases.uploads import upload_check
        from yiwang.core.errors import ApplicationError

        letter = self.cleaned_data.get("letter")
        if letter:
            try:
                upload_check(letter)  # type by content, size limit: as every material upload
            except ApplicationError as error:
                raise ValidationError(error.message) from None
        return letter


class DecisionForm(forms.Form):
    authorisation = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "确认授权"), ("refuse", "不予确认")])
    note = forms.CharField(label="说明", max_length=500, required=False)
