"""The one form of 企业开办 (一表填报) and the 企业注销 start form: shapes only; the rules are in
``services.founding``."""

from __future__ import annotations

from django import forms

from yiwang.cases.forms import new_token
from yiwang.cases.founding_conf import founding_setting
from yiwang.cases.services.founding import INVOICE_KINDS, SEAL_KINDS, TAXPAYER_KINDS, FoundingInput, ShareholderInput
from yiwang.org.models import Region

# The online form has rows for this many shareholders (县级默认); more are taken at the window.
SHAREHOLDER_ROWS = 5


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class FoundingForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # 申请人
    applicant_name = forms.CharField(label="申请人姓名", max_length=30, widget=_text(autocomplete="name"))
    applicant_id_number = forms.CharField(label="申请人身份证号", max_length=18, widget=_text(autocomplete="off"))
    applicant_phone = forms.CharField(label="联系电话（手机）", max_length=11, widget=_text(inputmode="tel"))
    as_agent = forms.ChoiceField(
        label="申请身份",
        choices=[("self", "本人（股东或法定代表人）"), ("agent", "受托代办")],
        widget=forms.RadioSelect,
        initial="self",
    )
    # 设立登记
    proposed_name = forms.CharField(
        label="拟设企业名称",
        max_length=60,
        widget=_text(placeholder="如：眉县秦岭猕猴桃冷链有限公司"),
        help_text="须冠以“眉县”，以“有限公司”或“有限责任公司”结尾；提交前可先做名称自主申报检查。",
    )
    company_type = forms.ChoiceField(label="企业类型", widget=forms.Select(attrs={"class": "form-select"}))
    registered_capital = forms.CharField(label="注册资本（万元）", max_length=14, widget=_text(inputmode="decimal"))
    town = forms.ModelChoiceField(
        label="住所所在镇（街道）",
        queryset=Region.objects.none(),
        empty_label="请选择",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    address_detail = forms.CharField(label="住所（村、社区、门牌）", max_length=120, widget=_text())
    business_scope = forms.CharField(
        label="经营范围", max_length=1000, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )
    legal_representative = forms.CharField(label="法定代表人姓名", max_length=30, widget=_text())
    legal_representative_id_number = forms.CharField(label="法定代表人身份证号", max_length=18, widget=_text())
    # 印章刻制
    seal_kinds = forms.MultipleChoiceField(
        label="刻制印章", choices=[(s, s) for s in SEAL_KINDS], widget=forms.CheckboxSelectMultiple, initial=["公章"]
    )
    # 发票申领/税控
    taxpayer_kind = forms.ChoiceField(
        label="纳税人类型",
        choices=[(t, t) for t in TAXPAYER_KINDS],
        widget=forms.RadioSelect,
        initial=TAXPAYER_KINDS[0],
    )
    invoice_kinds = forms.MultipleChoiceField(
        label="申领发票",
        choices=[(i, i) for i in INVOICE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[INVOICE_KINDS[0]],
    )
    invoice_monthly = forms.CharField(
        label="每月发票用量（份）", max_length=4, initial="25", widget=_text(inputmode="numeric")
    )
    tax_ukey = forms.BooleanField(
        label="领取税务UKey（免费）",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    # 员工参保登记 / 住房公积金缴存登记
    employees = forms.CharField(label="参保职工人数", max_length=5, initial="1", widget=_text(inputmode="numeric"))
    fund_ratio = forms.CharField(
        label="住房公积金缴存比例（%）", max_length=2, initial="5", widget=_text(inputmode="numeric")
    )
    # 银行开户预约
    bank = forms.ChoiceField(label="开户银行", widget=forms.Select(attrs={"class": "form-select"}))
    bank_date = forms.CharField(label="预约开户日期", max_length=10, widget=_text(type="date"))
    # 材料
    id_proof = forms.FileField(label="法定代表人及股东身份证明（扫描件）", required=False)
    address_proof = forms.FileField(label="住所（经营场所）使用证明", required=False)

    def __init__(self, *args, county: Region | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        types = founding_setting("COMPANY_TYPES")
        self.fields["company_type"].choices = [(k, v["label"]) for k, v in types.items()]
        self.fields["bank"].choices = [("", "请选择")] + [(b, b) for b in founding_setting("BANKS")]
        if county is not None:
            self.fields["town"].queryset = Region.objects.filter(
                level=Region.Level.TOWN, path__startswith=county.path
            ).order_by("code")
        for n in range(1, SHAREHOLDER_ROWS + 1):
            required = n == 1
            self.fields[f"sh_{n}_name"] = forms.CharField(
                label=f"第{n}位股东姓名", max_length=30, required=required, widget=_text()
            )
            self.fields[f"sh_{n}_id"] = forms.CharField(
                label=f"第{n}位股东身份证号", max_length=18, required=required, widget=_text()
            )
            self.fields[f"sh_{n}_amount"] = forms.CharField(
                label=f"第{n}位股东认缴出资（万元）",
                max_length=14,
                required=required,
                widget=_text(inputmode="decimal"),
            )
        for name in ("id_proof", "address_proof"):
            self.fields[name].widget.attrs.update({"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"})
        if not self.is_bound:
            self.initial.setdefault("submission_token", new_token())

    def shareholder_rows(self):
        return [
            (self[f"sh_{n}_name"], self[f"sh_{n}_id"], self[f"sh_{n}_amount"]) for n in range(1, SHAREHOLDER_ROWS + 1)
        ]

    def founding_input(self) -> FoundingInput:
        d = self.cleaned_data
        return FoundingInput(
            proposed_name=d["proposed_name"],
            company_type=d["company_type"],
            registered_capital=d["registered_capital"],
            town=d["town"],
            address_detail=d["address_detail"],
            business_scope=d["business_scope"],
            legal_representative=d["legal_representative"],
            legal_representative_id_number=d["legal_representative_id_number"],
            shareholders=[
                ShareholderInput(d.get(f"sh_{n}_name", ""), d.get(f"sh_{n}_id", ""), d.get(f"sh_{n}_amount", ""))
                for n in range(1, SHAREHOLDER_ROWS + 1)
            ],
            seal_kinds=d["seal_kinds"],
            taxpayer_kind=d["taxpayer_kind"],
            invoice_kinds=d["invoice_kinds"],
            invoice_monthly=d["invoice_monthly"] or 0,
            tax_ukey=d["tax_ukey"],
            employees=d["employees"],
            fund_ratio=d["fund_ratio"],
            bank=d["bank"],
            bank_date=d["bank_date"],
        )


# Service error fields → form fields.
ERROR_FIELDS = {
    "applicant_id_number": "applicant_id_number",
    "applicant_name": "applicant_name",
    "applicant_phone": "applicant_phone",
    "proposed_name": "proposed_name",
    "as_agent": "as_agent",
}


def shareholder_field(key: str) -> str | None:
    """``shareholder_2_id_number`` → ``sh_2_id``."""
    parts = key.split("_", 2)
    if len(parts) == 3 and parts[0] == "shareholder" and parts[1].isdigit():
        suffix = {"name": "name", "id_number": "id", "contribution": "amount"}.get(parts[2])
        return f"sh_{parts[1]}_{suffix}" if suffix else None
    return None


class DissolutionForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=18,
        widget=_text(autocomplete="off", placeholder="18位，如 91610326MA6W00010X"),
    )
    phone = forms.CharField(label="联系电话（手机）", max_length=11, required=False, widget=_text(inputmode="tel"))
    reason = forms.CharField(
        label="注销原因", max_length=200, required=False, widget=_text(placeholder="如：股东会决议解散")
    )
