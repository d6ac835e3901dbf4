"""Read-mostly admin for 好差评: ratings and rectifications change only through the services."""

from django.contrib import admin

from .models import CheckAssignment, Finding, Monitor, Rating, Rectification, ServiceCheck


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ("subject_number", "level", "channel", "department", "hall", "rated_at")
    list_filter = ("level", "channel")
    search_fields = ("subject_number",)
    date_hierarchy = "rated_at"
    exclude = ("pii_originals",)


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    list_display = ("number", "source", "state", "department", "due_on", "on_time")
    list_filter = ("state", "source")
    search_fields = ("number", "summary")


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "region", "is_active")
    list_filter = ("kind", "is_active")


class AssignmentInline(admin.TabularInline):
    model = CheckAssignment
    extra = 0


@admin.register(ServiceCheck)
class ServiceCheckAdmin(ReadOnly):
    list_display = ("title", "year", "quarter", "state")
    inlines = [AssignmentInline]


@admin.register(Finding)
class FindingAdmin(ReadOnly):
    list_display = ("service_check", "hall", "category", "severity", "repeated")
    list_filter = ("category", "severity", "repeated")
