"""Forms: input shape only; the services hold the rules."""

from django import forms

from yiwang.credit.models import Entity
from yiwang.inspections.models import FollowUp, Task
from yiwang.org.models import Department, Region

CLASSES = ("A", "B", "C", "D")


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (checkboxes get ``form-check-input``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PlanForm(StyledForm):
    number = forms.CharField(label="计划编号", max_length=32)
    title = forms.CharField(label="计划名称", max_length=200)
    departments = forms.ModelMultipleChoiceField(
        label="联合抽查部门（可多选，不含牵头部门）", queryset=Department.objects.none(), required=False
    )
    items = forms.MultipleChoiceField(label="抽查事项")
    towns = forms.ModelMultipleChoiceField(
        label="镇（街道），不选为全县", queryset=Region.objects.none(), required=False
    )
    kinds = forms.MultipleChoiceField(label="主体类型，不选为全部", choices=Entity.Kind.choices, required=False)
    industry_prefixes = forms.CharField(label="行业代码前缀（逗号分隔，如 H62,F52）", required=False)
    ratio_a = forms.DecimalField(label="A类比例（%）", min_value=0, max_value=100, decimal_places=2)
    ratio_b = forms.DecimalField(label="B类比例（%）", min_value=0, max_value=100, decimal_places=2)
    ratio_c = forms.DecimalField(label="C类比例（%）", min_value=0, max_value=100, decimal_places=2)
    ratio_d = forms.DecimalField(label="D类比例（%）", min_value=0, max_value=100, decimal_places=2)
    full_coverage = forms.BooleanField(label="重点检查事项全覆盖（100%）", required=False)
    distinct_departments = forms.BooleanField(label="检查组须来自不同部门（联合抽查）", required=False)
    period_start = forms.DateField(label="检查开始日", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="检查结束日", widget=forms.DateInput(attrs={"type": "date"}))
    beacon_source = forms.CharField(
        label="公开随机数来源（可选，事先公布，如“2026-03-31 福彩3D开奖号码”）", max_length=200, required=False
    )

    def __init__(self, *args, departments=(), items=(), towns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        self.fields["items"].choices = [
            (str(i.pk), f"{i.department.short_name}｜{i.name}（{i.get_kind_display()}）") for i in items
        ]
        self.fields["towns"].queryset = towns

    def ratio_bp(self) -> dict:
        return {c: int(round(self.cleaned_data[f"ratio_{c.lower()}"] * 100)) for c in CLASSES}


class DrawForm(StyledForm):
    beacon = forms.CharField(label="公开随机数", max_length=128, required=False)
    reason = forms.CharField(label="重新抽取理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(StyledForm):
    result = forms.ChoiceField(label="检查结果", choices=Task.Result.choices)
    inspected_on = forms.DateField(label="检查日期", widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(
        label="检查情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(StyledForm):
    kind = forms.ChoiceField(label="后续处置", choices=FollowUp.Kind.choices)
    note = forms.CharField(label="说明", required=False, max_length=500)


class ItemForm(StyledForm):
    code = forms.CharField(label="事项编码", max_length=32)
    name = forms.CharField(label="抽查事项", max_length=200)
    kind = forms.ChoiceField(label="事项类别", choices=[("general", "一般检查事项"), ("key", "重点检查事项")])
    legal_basis = forms.CharField(label="检查依据", max_length=1000)


class InspectorForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=64)
    certificate_no = forms.CharField(label="执法证号", max_length=32)
    certificate_expires_on = forms.DateField(label="执法证有效期至", widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label="平台账号（可选）", max_length=150, required=False)


class ConflictForm(StyledForm):
    inspector = forms.IntegerField(label="检查人员")
    uscc = forms.CharField(label="市场主体统一社会信用代码", max_length=18)
    kind = forms.ChoiceField(
        label="回避事由",
        choices=[("relative", "近亲属经营或任职"), ("former_employer", "曾任职单位"), ("other", "其他利害关系")],
    )
    note = forms.CharField(label="说明", max_length=200, required=False)
