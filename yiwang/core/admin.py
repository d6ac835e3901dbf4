from django.contrib import admin, messages

from yiwang.core.models import AuditEvent, AuditStream, IdempotencyRecord, OutboxMessage
from yiwang.core.outbox import outbox_requeue
from yiwang.core.pii import mask_phone


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by those with the view permission; nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditStream)
class AuditStreamAdmin(ReadOnlyAdmin):
    list_display = ["key", "region_code", "day", "last_seq", "updated_at"]
    list_filter = ["day"]
    search_fields = ["key", "region_code"]
    date_hierarchy = "day"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "stream", "seq", "actor_label", "action", "object_type", "object_id", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id", "actor_label", "object_label"]
    date_hierarchy = "occurred_at"
    list_select_related = ["stream"]
    show_full_result_count = False  # a count over the whole log is slow and not needed


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "key", "user_id", "method", "path", "state", "status_code"]
    list_filter = ["state", "method"]
    search_fields = ["key", "path"]
    exclude = ["response_body"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "channel", "recipient_masked", "subject", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "state"]
    exclude = ["recipient", "recipient_hash"]
    readonly_fields = ["recipient_masked"]
    actions = ["requeue"]

    @admin.display(description="收件人")
    def recipient_masked(self, obj):
        if obj.channel == OutboxMessage.Channel.SMS:
            return mask_phone(obj.recipient)
        return obj.recipient

    def has_change_permission(self, request, obj=None):
        # Needed for the requeue action; every field stays read-only (no form fields are editable).
        return request.user.has_perm("core.change_outboxmessage")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude] + ["recipient_masked"]

    @admin.action(description="重新投递所选的发送失败消息", permissions=["change"])
    def requeue(self, request, queryset):
        count = 0
        for message in queryset.filter(state=OutboxMessage.State.FAILED):
            outbox_requeue(message=message)
            count += 1
        self.message_user(request, f"已重新排队 {count} 条消息", messages.SUCCESS)
