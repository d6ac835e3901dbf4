"""Input shapes of the 好差评 pages; the rules are in the services."""

from django import forms

from .models import Finding, Level, Monitor, Rectification

LEVEL_CHOICES = [(value, label) for value, label in Level.choices]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(label="总体评价", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="评价内容（差评请说明原因）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, indicators: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {k: v for k, v in (indicators or {}).items() if k != "overall"}
        for key, label in self.indicators.items():
            self.fields[f"score_{key}"] = forms.TypedChoiceField(
                label=label, choices=[("", "—"), *LEVEL_CHOICES], coerce=int, required=False, empty_value=None
            )

    def scores(self) -> dict:
        return {
            key: self.cleaned_data[f"score_{key}"]
            for key in self.indicators
            if self.cleaned_data.get(f"score_{key}") is not None
        }


class VerifyForm(forms.Form):
    reached = forms.BooleanField(label="已联系上评价人", required=False, initial=True)
    note = forms.CharField(label="核实情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(label="定性", choices=Rectification.Classification.choices)
    note = forms.CharField(label="定性说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="申诉证据（申诉时必填）", required=False)


class RectifyForm(forms.Form):
    measures_taken = forms.CharField(
        label="整改措施（改了什么）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复评价人", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RevisitForm(forms.Form):
    level = forms.TypedChoiceField(label="回访满意度", choices=LEVEL_CHOICES, coerce=int)
    note = forms.CharField(label="回访记录", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果", choices=[("accept", "通过，办结并公开"), ("send_back", "退回重新整改")]
    )
    note = forms.CharField(label="审核意见（退回必填）", required=False, max_length=500)


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="申诉审核", choices=[("uphold", "申诉成立"), ("reject", "申诉不成立，继续整改")])
    note = forms.CharField(label="审核意见", max_length=500)


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)], coerce=int)
    title = forms.CharField(label="名称（可不填）", required=False, max_length=120)


class MonitorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    kind = forms.ChoiceField(label="类别", choices=Monitor.Kind.choices)
    organisation = forms.CharField(label="单位/身份", required=False, max_length=128)


class AssignForm(forms.Form):
    monitor = forms.IntegerField(label="监督员")
    hall = forms.IntegerField(label="大厅")


class FindingForm(forms.Form):
    hall = forms.IntegerField(label="大厅")
    window = forms.IntegerField(label="窗口", required=False)
    department = forms.IntegerField(label="责任部门")
    monitor = forms.IntegerField(label="发现人", required=False)
    category = forms.ChoiceField(
        label="问题类别",
        choices=Finding.Category.choices,
        widget=forms.Select(attrs={"class": "form-select mb-2", "id": "f-cat"}),
    )
    severity = forms.ChoiceField(
        label="严重程度",
        choices=Finding.Severity.choices,
        widget=forms.Select(attrs={"class": "form-select mb-2", "id": "f-sev"}),
    )
    description = forms.CharField(
        label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control mb-2"})
    )
    photo = forms.FileField(
        label="现场照片", required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
