from django.contrib import admin

from .models import Case, CaseMaterial, HelpRequest, Notice, PledgeVerification, ReviewChain, ReviewStep


class MaterialInline(admin.TabularInline):
    model = CaseMaterial
    extra = 0
    fields = ("position", "code", "name", "required", "key", "status")
    readonly_fields = fields
    can_delete = False


class StepInline(admin.TabularInline):
    model = ReviewStep
    extra = 0
    fields = ("position", "name", "role", "days", "state", "due_on", "completed_by")
    readonly_fields = fields
    can_delete = False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (audited, with their rules and locks)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: every change goes through the services (audited)."""

    list_display = ("number", "title", "state", "channel", "department", "submitted_at", "due_on", "clock__status")
    list_filter = ("state", "channel", "clock__status")
    search_fields = ("number", "title", "applicant_uscc")
    inlines = [MaterialInline, StepInline]
    exclude = ("applicant_id_number", "applicant_phone")


@admin.register(ReviewChain)
class ReviewChainAdmin(ReadOnlyAdmin):
    list_display = ("item", "__str__", "same_person_allowed", "updated_at")
    list_filter = ("same_person_allowed",)
    search_fields = ("item__name", "item__code")
    autocomplete_fields = ()
    raw_id_fields = ("item",)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "case", "issued_at")
    list_filter = ("kind",)
    search_fields = ("number", "case__number")
    readonly_fields = ("case", "kind", "number", "content", "issued_by", "issued_at")


@admin.register(PledgeVerification)
class PledgeVerificationAdmin(ReadOnlyAdmin):
    list_display = ("case", "department", "due_on", "state", "overdue")
    list_filter = ("state", "overdue")


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ("name", "topic", "state", "helper", "created_at")
    list_filter = ("state",)
    exclude = ("phone",)
