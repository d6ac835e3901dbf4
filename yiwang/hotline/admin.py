from django.contrib import admin

from yiwang.hotline.models import (
    Appeal,
    Category,
    CategoryDepartmentMapping,
    KnowledgeEntry,
    RoutingModel,
    UnresolvedMatter,
)


class MappingInline(admin.TabularInline):
    model = CategoryDepartmentMapping
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "sort_order", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name", "keywords"]
    inlines = [MappingInline]


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "department", "use_count", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["question", "keywords", "answer"]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through the services (audited, deadline-tracked)."""

    list_display = ["code", "title", "kind", "channel", "state", "tier", "lead_department", "received_at"]
    list_filter = ["state", "kind", "channel", "tier"]
    search_fields = ["code", "title"]
    exclude = ["contact_name", "contact_phone", "contact_phone_hash", "contact_email", "submission_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnresolvedMatter)
class UnresolvedMatterAdmin(admin.ModelAdmin):
    list_display = ["code", "summary", "channel", "tier", "state", "department", "reported_at"]
    list_filter = ["state", "tier", "channel"]
    exclude = ["reporter_name", "reporter_phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    list_display = ["pk", "target", "n_samples", "is_active", "trained_at"]
    exclude = ["blob"]
    readonly_fields = ["target", "region", "labels", "metrics", "n_samples", "is_active", "trained_at", "trained_by"]

    def has_add_permission(self, request):
        return False
