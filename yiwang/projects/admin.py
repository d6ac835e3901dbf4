"""Reference data of ``projects`` in the Django admin (read-mostly; every change of state goes through services)."""

from django.contrib import admin

from .models import AreaAssessment, ConstructionProject, JointSurvey, ServiceDay, UtilityConnection


@admin.register(ConstructionProject)
class ConstructionProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "state", "limit_days", "approval_workdays", "steward")
    list_filter = ("category", "state")
    search_fields = ("code", "name", "builder_name")
    readonly_fields = [f.name for f in ConstructionProject._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AreaAssessment)
class AreaAssessmentAdmin(admin.ModelAdmin):
    list_display = ("area", "kind", "item_code", "department", "published_at", "valid_until")
    readonly_fields = ("published_at",)


@admin.register(ServiceDay)
class ServiceDayAdmin(admin.ModelAdmin):
    list_display = ("held_on", "place", "host")


@admin.register(JointSurvey)
class JointSurveyAdmin(admin.ModelAdmin):
    list_display = ("project", "surveyor", "delivered_at")
    readonly_fields = [f.name for f in JointSurvey._meta.fields]


@admin.register(UtilityConnection)
class UtilityConnectionAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "category", "state", "days", "used_workdays", "on_time")
    list_filter = ("kind", "state")
    readonly_fields = [f.name for f in UtilityConnection._meta.fields]

    def has_add_permission(self, request):
        return False
