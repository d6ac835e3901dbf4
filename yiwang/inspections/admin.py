"""Reference rows of ``inspections`` in the Django admin, read-only: items, the roster and declared
conflicts are written through the services (validated and audited), plans, draws and tasks too."""

from django.contrib import admin

from yiwang.core.admin import ReadOnlyAdmin

from .models import Draw, InspectionItem, Inspector, InspectorConflict, Plan, Task


@admin.register(InspectionItem)
class InspectionItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "department", "kind", "method", "is_active")
    list_filter = ("kind", "is_active", "department")
    search_fields = ("code", "name", "legal_basis")


@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdmin):
    list_display = ("name", "certificate_no", "department", "certificate_expires_on", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("name", "certificate_no")


@admin.register(InspectorConflict)
class InspectorConflictAdmin(ReadOnlyAdmin):
    list_display = ("inspector", "entity", "kind", "note", "declared_at")
    list_filter = ("kind",)
    search_fields = ("inspector__name", "entity__name")
    raw_id_fields = ("inspector", "entity")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "lead_department", "state", "period_start", "period_end")
    list_filter = ("state",)
    search_fields = ("number", "title")


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("plan", "attempt", "is_current", "drawn_at", "verified_at", "verified_consistent")
    exclude = ("pool_snapshot", "roster_snapshot", "result")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("plan", "entity", "risk_class", "department", "state", "result", "published_on_time")
    list_filter = ("state", "result", "risk_class")
    raw_id_fields = ("entity",)
