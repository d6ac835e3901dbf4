from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.pii import mask_id_number, mask_phone
from yiwang.core.ratelimits import limit_page
from yiwang.org import services
from yiwang.org.models import Department, DepartmentAlias, Membership, Region, ServiceHall, User, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_illustrative"]
    list_filter = ["level", "is_illustrative"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    change_list_template = "admin/org/import_link_change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # Code and parent make up the materialised path of the whole subtree: fixed once created.
        return ["path", "code", "parent", "level"] if obj else ["path"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        services.region_create(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            is_illustrative=obj.is_illustrative,
            actor=request.user,
        )


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 1
    fields = ["alias"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "kind", "region", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "aliases__alias"]
    autocomplete_fields = ["region"]
    inlines = [DepartmentAliasInline]
    # A whole list of departments is loaded on the staff import page (the same service as manage.py org import).
    change_list_template = "admin/org/import_link_change_list.html"


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "department"]
    search_fields = ["alias", "department__name", "department__short_name"]
    autocomplete_fields = ["department"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ["number", "label", "kind", "is_active"]


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "phone", "is_illustrative"]
    list_filter = ["kind", "is_illustrative"]
    search_fields = ["name", "region__name", "address"]
    autocomplete_fields = ["region"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["label", "hall", "number", "kind", "is_active"]
    list_filter = ["kind", "is_active", "hall__kind"]
    search_fields = ["label", "hall__name"]
    autocomplete_fields = ["hall"]


MEMBERSHIP_ANCHORS = ("department", "region", "hall", "window")


class MembershipInline(admin.TabularInline):
    """Shown for reference; roles are granted and revoked on the membership pages (audited)."""

    model = Membership
    extra = 0
    fields = ["role", *MEMBERSHIP_ANCHORS]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _CheckOnly(Exception):
    """Raised inside the check transaction so that it always rolls back."""


class MembershipAdminForm(forms.ModelForm):
    """Runs the grant service's own rules in a rolled-back transaction, so the admin form shows the
    same specific error as any other caller; the real grant happens in ``save_model``."""

    class Meta:
        model = Membership
        fields = ["user", "role", *MEMBERSHIP_ANCHORS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                services.membership_grant(**{k: cleaned.get(k) for k in self.Meta.fields}, actor=None)
                raise _CheckOnly
        except _CheckOnly:
            pass
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles decide what a user may see and do: they change only through the audited services."""

    form = MembershipAdminForm
    list_display = ["user", "role", *MEMBERSHIP_ANCHORS, "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "department__name", "hall__name"]
    autocomplete_fields = ["user", *MEMBERSHIP_ANCHORS]

    def has_change_permission(self, request, obj=None):
        return False  # revoke and grant again: each step is its own audit event

    def save_model(self, request, obj, form, change):
        granted = services.membership_grant(
            **{k: form.cleaned_data.get(k) for k in MembershipAdminForm.Meta.fields}, actor=request.user
        )
        obj.pk = granted.pk

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(membership=membership, actor=request.user)


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "display_name")


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Phone and ID number are shown masked only; they are set through services, not typed here."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm

    list_display = ["username", "display_name", "phone_masked", "is_active", "is_staff", "locked_until"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "display_name", "uscc"]
    readonly_fields = [
        "phone_masked",
        "id_number_masked",
        "failed_login_count",
        "locked_until",
        "last_failed_login_at",
        "last_login",
        "date_joined",
    ]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "email", "phone_masked", "id_number_masked", "uscc")}),
        (_("登录安全"), {"fields": ("failed_login_count", "locked_until", "last_failed_login_at", "last_login")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("date_joined",)}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "display_name", "usable_password", "password1", "password2")},
        ),
    )
    inlines = [MembershipInline]
    actions = ["unlock_users"]

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj):
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description=_("身份证号"))
    def id_number_masked(self, obj):
        return mask_id_number(obj.id_number) if obj.id_number else "—"

    @admin.action(description=_("解除所选用户的登录锁定"))
    def save_model(self, request, obj, form, change):
        """An account change made here (active, staff, superuser, names, USCC…) is audited like any
        other state change, in the same transaction as the save."""
        with transaction.atomic():
            before = snapshot(User.objects.get(pk=obj.pk), services.USER_FIELDS) if change else None
            super().save_model(request, obj, form, change)
            after = snapshot(obj, services.USER_FIELDS)
            if before != after:
                audit_record(
                    actor=request.user,
                    action="org.user_changed_in_admin" if change else "org.user_created_in_admin",
                    obj=obj,
                    before=before,
                    after=after,
                )

    def unlock_users(self, request, queryset):
        for user in queryset:
            services.user_unlock(user=user, actor=request.user)
        self.message_user(request, _("已解除 %(n)d 个用户的锁定") % {"n": queryset.count()}, messages.SUCCESS)


@limit_page(
    "auth.admin_login", target=lambda request: (request.POST.get("username") or "").strip()[:150], methods=("POST",)
)
def admin_login(request, extra_context=None):
    """/admin/login/ sends people to the one sign-in page, so the lockout and the audit of
    sign-ins cannot be bypassed through the admin's own form."""
    if request.user.is_authenticated:
        # Signed in but not staff: the admin would send them back here in a loop.
        messages.error(request, _("您没有管理后台的权限。"))
        return redirect("org:workbench")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url="org:login")


admin.site.login = admin_login
