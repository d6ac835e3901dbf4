"""Reference data in the Django admin: 一业一证 industries and policy attachments (policies themselves
are written through the officer's pages, which validate rules and audit every change)."""

from django.contrib import admin

from .models import IndustryLicenceType, PolicyAttachment


@admin.register(IndustryLicenceType)
class IndustryLicenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "bundle", "department", "is_active")
    list_filter = ("is_active",)


@admin.register(PolicyAttachment)
class PolicyAttachmentAdmin(admin.ModelAdmin):
    list_display = ("title", "policy")
    raw_id_fields = ("policy",)
