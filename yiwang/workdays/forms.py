"""Input shape for the calendar pages; the rules themselves live in the parser and the services."""

from django import forms

from yiwang.workdays.calendar import FIRST_YEAR, LAST_YEAR

MAX_IMPORT_BYTES = 512 * 1024


class AddWorkdaysForm(forms.Form):
    start = forms.DateField(
        label="起算日", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    days = forms.IntegerField(
        label="工作日数",
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        min_value=0,
        max_value=3650,
        error_messages={"min_value": "工作日数不能为负数"},
    )


class CalendarImportForm(forms.Form):
    FORMAT_CHOICES = [("auto", "自动识别"), ("notice", "国务院通知原文"), ("csv", "CSV（日期,类型,名称）")]

    text = forms.CharField(
        label="粘贴通知原文或 CSV",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace"}),
        help_text="例如：二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
    )
    file = forms.FileField(
        label="或上传文件（UTF-8 文本）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".txt,.csv,text/plain,text/csv"}),
    )
    year = forms.IntegerField(
        label="年份",
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text="不填则取自通知标题（“2026年部分节假日安排”）或 CSV 中的日期",
    )
    format = forms.ChoiceField(
        label="格式", choices=FORMAT_CHOICES, initial="auto", widget=forms.Select(attrs={"class": "form-select"})
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("文件过大（上限 512 KB）")
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("文件不是 UTF-8 编码的文本")
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("请粘贴通知原文，或上传一个文件")
        return cleaned
