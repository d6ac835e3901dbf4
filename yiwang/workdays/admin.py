"""Read-only admin views of the calendar and the clocks.

Changes go through the services: a year's days are replaced as a whole by the import page
(validated, audited, clocks recomputed), and clocks change only through their services.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from yiwang.workdays.models import CalendarDay, CalendarYear, Clock, ClockPause


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "official", "source", "imported_at", "imported_by", "calendar_link"]
    list_filter = ["official", "source"]
    search_fields = ["year"]

    @admin.display(description="日历")
    def calendar_link(self, obj):
        return format_html('<a href="{}?year={}">查看</a>', reverse("workdays:calendar"), obj.year)


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"


class ClockPauseInline(admin.TabularInline):
    model = ClockPause
    extra = 0
    fields = ["paused_on", "resumed_on", "workdays", "reason", "actor"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ["label", "started_at", "days", "due_on", "state", "provisional", "paused_workdays"]
    list_filter = ["state", "provisional"]
    search_fields = ["label"]
    date_hierarchy = "due_on"
    inlines = [ClockPauseInline]
