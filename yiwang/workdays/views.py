"""The public calendar page (with the "N 个工作日后是哪天" form) and the administrators' import page."""

import calendar as month_calendar

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.core.errors import ApplicationError, add_application_error
from yiwang.org.permissions import calendar_manage_required
from yiwang.workdays import selectors, services
from yiwang.workdays.calendar import FIRST_YEAR, LAST_YEAR
from yiwang.workdays.forms import AddWorkdaysForm, CalendarImportForm
from yiwang.workdays.importing import parse_calendar_text

WEEKDAY_NAMES = ["一", "二", "三", "四", "五", "六", "日"]


def _requested_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _month_grids(year: int) -> list[dict]:
    days = {info.date: info for info in selectors.year_exceptions(year)}
    grid = month_calendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year, month):
            cells = []
            for day in week:
                info = days.get(day)
                cells.append(
                    {
                        "date": day,
                        "in_month": day.month == month,
                        "kind": info.kind if info else None,
                        "name": info.name if info else None,
                        "rest": day.weekday() >= 5 and not info,
                    }
                )
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    return months


def _add_result(form: AddWorkdaysForm) -> dict | None:
    if not form.is_bound or not form.is_valid():
        return None
    start, days = form.cleaned_data["start"], form.cleaned_data["days"]
    try:
        due = selectors.add_workdays(start, days)
    except ApplicationError as error:
        add_application_error(form, error)
        return None
    return {"start": start, "days": days, "due": due.due, "provisional": due.provisional}


def _calendar_context(year: int, form: AddWorkdaysForm, result: dict | None) -> dict:
    summary = selectors.calendar_year_summary(year)
    return {
        "year": year,
        "summary": summary,
        "months": _month_grids(year),
        "weekday_names": WEEKDAY_NAMES,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "form": form,
        "result": result,
    }


@require_GET
def calendar_page(request):
    year = _requested_year(request)
    today = timezone.localdate()
    form = AddWorkdaysForm(initial={"start": today, "days": 20})
    return render(request, "workdays/calendar.html", _calendar_context(year, form, None))


@require_GET
def add_workdays_partial(request):
    """The answer to "N 个工作日后是哪天": only the partial for HTMX, the whole page otherwise."""
    form = AddWorkdaysForm(request.GET)
    result = _add_result(form)
    if request.htmx:
        return render(request, "workdays/_add_result.html", {"form": form, "result": result})
    year = result["due"].year if result and FIRST_YEAR <= result["due"].year <= LAST_YEAR else _requested_year(request)
    return render(request, "workdays/calendar.html", _calendar_context(year, form, result))


@calendar_manage_required
@require_http_methods(["GET", "POST"])
def calendar_import(request):
    """Paste or upload the State Council's notice (or a CSV), preview the parsed days, confirm."""
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "errors": [], "parsed": None}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            parsed = parse_calendar_text(text, year=form.cleaned_data["year"], format=form.cleaned_data["format"])
        except ApplicationError as error:
            context["errors"] = error.details.get("errors", [{"line": 0, "reason": error.message}])
            return render(request, "workdays/import.html", context, status=400)

        if request.POST.get("action") == "confirm":
            try:
                result = services.calendar_import_year(
                    year=parsed.year, entries=parsed.entries, actor=request.user, source_text=text
                )
            except ApplicationError as error:
                context["errors"] = error.details.get("errors", [{"line": 0, "reason": error.message}])
                return render(request, "workdays/import.html", context, status=400)
            messages.success(
                request,
                f"已导入 {parsed.year} 年：{result.holidays} 个放假日，{result.workdays} 个调休上班日；"
                f"重新计算了 {result.recomputed} 个期限（其中 {result.changed} 个有变化）。",
            )
            return redirect(f"{reverse('workdays:calendar')}?year={parsed.year}")

        # Preview: the uploaded file's text goes into the textarea so "确认导入" posts the same text.
        preview = CalendarImportForm(initial={"text": text, "year": parsed.year, "format": form.cleaned_data["format"]})
        existing = selectors.calendar_year_summary(parsed.year)
        context.update(
            {
                "form": preview,
                "parsed": parsed,
                "weekday_names": WEEKDAY_NAMES,
                "existing": existing,
                "affected": selectors.clocks_touching_year(parsed.year).count(),
            }
        )
    return render(request, "workdays/import.html", context)
