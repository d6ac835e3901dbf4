from django import forms

from yiwang.credit.conf import KEY_FIELDS, credit_setting
from yiwang.credit.models import Clue, NamedList, RecordKind, Severity

_ENTERED_KINDS = [
    (k, label) for k, label in RecordKind.choices if k not in ("government", "false_pledge", "first_offence")
]


class ActingDepartmentForm(forms.Form):
    """A form recorded on a department's behalf: staff of several departments choose which one (a select
    limited to the departments their scope lets them record for); staff of one department see nothing."""

    department = forms.ModelChoiceField(label="录入部门", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, departments=None, **kwargs):
        from yiwang.org.models import Department

        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = departments.order_by("code") if departments is not None else Department.objects.none()
        self._only = list(field.queryset[:2])
        if len(self._only) == 1:
            field.widget = forms.HiddenInput()
            field.initial = self._only[0].pk

    def clean_department(self):
        department = self.cleaned_data.get("department")
        if department is None and len(self._only) == 1:
            return self._only[0]
        if department is None:
            raise forms.ValidationError("您无权以任何部门的名义录入信用记录" if not self._only else "请选择录入部门")
        return department


class RecordForm(ActingDepartmentForm):
    kind = forms.ChoiceField(label="类别", choices=_ENTERED_KINDS)
    severity = forms.ChoiceField(label="情节", choices=Severity.choices, initial=Severity.GENERAL)
    named_list = forms.ChoiceField(label="列入名单", choices=NamedList.choices, required=False)
    key_field = forms.ChoiceField(label="重点领域", choices=[("", "—")] + [(f, f) for f in KEY_FIELDS], required=False)
    title = forms.CharField(label="事由", max_length=200)
    decided_on = forms.DateField(label="认定日期", widget=forms.DateInput(attrs={"type": "date"}))
    legal_basis = forms.CharField(label="依据", max_length=300, required=False)
    document_number = forms.CharField(label="文书号", max_length=64, required=False)
    expires_on = forms.DateField(
        label="有效期（公示期）至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空则按类别的默认公示期（县级默认值）",
    )


class FirstOffenceForm(ActingDepartmentForm):
    offence_code = forms.ChoiceField(label="首违不罚事项", choices=())
    decided_on = forms.DateField(label="认定日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence_code"].choices = [(e["code"], e["title"]) for e in credit_setting("FIRST_OFFENCES")]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=500)


class RepairRequestForm(forms.Form):
    statement = forms.CharField(label="失信行为纠正情况", widget=forms.Textarea(attrs={"rows": 3}))
    commitment = forms.BooleanField(label="本企业已签署信用承诺书，承诺所述属实", required=False)


class RepairDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审核结果", choices=[("1", "同意修复"), ("0", "不予修复")], coerce=lambda v: v == "1"
    )
    opinion = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 2}))


class ClueHandleForm(forms.Form):
    measures_taken = forms.CharField(label="处置措施", widget=forms.Textarea(attrs={"rows": 3}))


class ClueFeedbackForm(forms.Form):
    finding = forms.ChoiceField(label="核查结论", choices=Clue.Finding.choices)
    feedback = forms.CharField(label="反馈意见", widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label="市场主体名录（.xlsx）")


class NeedForm(forms.Form):
    amount = forms.IntegerField(label="融资金额（万元）", min_value=1, max_value=10_000_000)
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=360, initial=12)
    purpose = forms.CharField(label="用途", max_length=200)


class ProductForm(forms.Form):
    bank = forms.CharField(label="金融机构", max_length=100)
    name = forms.CharField(label="产品名称", max_length=100)
    min_amount = forms.IntegerField(label="最低额度（万元）", min_value=1, max_value=10_000_000, initial=1)
    max_amount = forms.IntegerField(label="最高额度（万元）", min_value=1, max_value=10_000_000)
    term_months = forms.IntegerField(label="最长期限（月）", min_value=1, max_value=600, initial=12)
    rate_text = forms.CharField(label="参考利率", max_length=64, required=False)
    industries = forms.CharField(label="适用行业（门类字母或代码前缀，逗号分隔；留空为全部）", required=False)
    classes = forms.MultipleChoiceField(
        label="准入信用分类（留空按县级默认值）",
        choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    collateral_free = forms.BooleanField(label="纯信用（免抵押）", required=False)


class GrantForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.IntegerField(label="放款金额（万元）", min_value=1, max_value=10_000_000)


class GovernmentDishonestyForm(ActingDepartmentForm):
    """政务失信 (plan 四(十)3(2)): 政府承诺不兑现、拖欠民营企业账款、拒不执行法院判决、“新官不理旧账”."""

    subject_department = forms.ModelChoiceField(label="失信的政府机构", queryset=None)
    title = forms.CharField(label="失信事项", max_length=200)
    decided_on = forms.DateField(label="认定日期", widget=forms.DateInput(attrs={"type": "date"}))
    legal_basis = forms.CharField(label="依据", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from yiwang.org.models import Department

        super().__init__(*args, **kwargs)
        self.fields["subject_department"].queryset = Department.objects.filter(is_active=True).order_by("code")
