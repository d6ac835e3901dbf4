"""Read-only admin views: every catalog change goes through proposals and blind review (services.py),
so the admin may look but never edit, add or delete."""

from django.contrib import admin

from .models import Bundle, BundleItem, ItemChange, ItemMaterial, ServiceItem, ServiceItemVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaterialInline(admin.TabularInline):
    model = ItemMaterial
    extra = 0
    can_delete = False
    fields = (
        "position",
        "code",
        "name",
        "form",
        "copies",
        "required",
        "key",
        "deferrable",
        "pledge_replaceable",
        "licence_type",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "level", "implementing_department", "online_depth", "status", "version")
    list_filter = ("status", "level", "kind", "online_depth", "reform_mode")
    search_fields = ("code", "name", "keywords")
    inlines = [MaterialInline]


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(ReadOnlyAdmin):
    list_display = ("item", "number", "published_at", "reason")
    search_fields = ("item__code", "item__name")


@admin.register(ItemChange)
class ItemChangeAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "status", "proposed_at", "reviewed_at")
    list_filter = ("status", "kind")


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "lead_department", "target_days", "status")
    inlines = [BundleItemInline]
