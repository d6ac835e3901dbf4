"""Admin: administrators maintain licence types; licences, uses and keys are read-only here (they
change only through the services: issue, revoke, expire, rotate)."""

from django.contrib import admin, messages

from yiwang.core.errors import ApplicationError

from .models import Licence, LicenceType, LicenceUse, SigningKey
from .services import signing_key_rotate


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "validity_years", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["number", "licence_type", "holder_name", "department", "issued_on", "valid_until", "state"]
    list_filter = ["state", "licence_type"]
    search_fields = ["number", "holder_name", "holder_uscc"]
    exclude = ["holder_id_number"]


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnlyAdmin):
    list_display = ["licence", "case", "department", "purpose", "used_at"]
    search_fields = ["licence__number", "purpose"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "department", "active", "created_at", "retired_at"]
    list_filter = ["active"]
    exclude = ["private_key"]
    actions = ["rotate"]

    @admin.action(description="更换所选部门的签章密钥（旧密钥保留用于验签）")
    def rotate(self, request, queryset):
        for department in {key.department for key in queryset.select_related("department")}:
            try:
                key = signing_key_rotate(department=department, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{department.name}：新密钥 {key.key_id}", messages.SUCCESS)
