"""Base model and the platform's safety-rail tables: audit log, idempotency records, outbox.

Core depends on no other app (every app depends on core and core is migrated first), so actors are
kept as ``actor_id`` + a label snapshot rather than a foreign key to the user model.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from yiwang.core.fields import EncryptedCharField, PiiHashField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


# --- Audit log ----------------------------------------------------------------------------------


class AuditLogAppendOnly(Exception):
    """The audit log is append-only: events are never changed or deleted."""


class AuditStream(TimeStampedModel):
    """Head of one hash chain: a region's events of one day (Asia/Shanghai).

    Appending an event never locks this row; only the sequencer (``yiwang.core.audit.audit_seal``)
    does, when it links the stream's new events. ``last_seq``/``last_hash`` let verification notice
    a deleted tail.
    """

    key = models.CharField("流", max_length=40, unique=True)
    region_code = models.CharField("行政区划代码", max_length=12)
    day = models.DateField("日期")
    last_seq = models.PositiveBigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后哈希", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计流"
        verbose_name_plural = "审计流"
        indexes = [models.Index(fields=["day", "region_code"], name="core_auditstream_day_region")]

    def __str__(self) -> str:
        return self.key


class AuditEventQuerySet(models.QuerySet):
    def delete(self):
        raise AuditLogAppendOnly("审计日志只能追加，不能删除")

    def update(self, **kwargs):
        raise AuditLogAppendOnly("审计日志只能追加，不能修改")

    delete.queryset_only = True
    update.queryset_only = True


class AuditEvent(models.Model):
    """One audited action. Written only by ``yiwang.core.audit.audit_record``.

    An event is written unlinked (``seq`` NULL, ``prev_hash``/``hash`` empty) in the transaction of
    the change it records; the sequencer links it into its stream's chain shortly after commit.
    The table refuses DELETE and every UPDATE but that one link — an unlinked row getting its
    ``seq``, ``prev_hash`` and ``hash``, nothing else changed — with database triggers (migration
    ``0004_audit_sequencer``). On SQLite a table rebuild drops its triggers, so a migration that
    alters this model must create them again.
    """

    stream = models.ForeignKey(AuditStream, on_delete=models.PROTECT, related_name="events", verbose_name="流")
    # The stream's region code, copied when the event is written (the sharding key, docs/scale.md);
    # not part of the hash (the stream's key, which is, names the region already).
    region_code = models.CharField("区划代码", max_length=12, blank=True, default="")
    seq = models.PositiveBigIntegerField("序号", null=True, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前序哈希", max_length=64, blank=True, default="")
    hash = models.CharField("哈希", max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="core_auditevent_stream_seq_uniq")]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_auditevent_object"),
            models.Index(fields=["actor_id", "occurred_at"], name="core_auditevent_actor_time"),
            # What the sequencer looks for: the few events not yet linked.
            models.Index(
                fields=["stream", "id"], name="core_auditevent_unlinked", condition=models.Q(seq__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogAppendOnly("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogAppendOnly("审计日志只能追加，不能删除")


# --- Idempotency ---------------------------------------------------------------------------------


class IdempotencyRecord(models.Model):
    """The first outcome of a request sent with an ``Idempotency-Key``, replayed to its retries."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "处理中"
        DONE = "done", "已完成"

    key = models.CharField("幂等键", max_length=255)
    user_id = models.BigIntegerField("用户ID", null=True, blank=True)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("路径", max_length=500)
    request_fingerprint = models.CharField("请求指纹", max_length=64)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    claim_token = models.CharField("占用标记", max_length=32)
    status_code = models.PositiveSmallIntegerField("响应状态码", null=True, blank=True)
    response_body = models.BinaryField("响应内容", null=True, blank=True)
    content_type = models.CharField("响应类型", max_length=200, blank=True)
    response_headers = models.JSONField("响应头", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    locked_at = models.DateTimeField("占用时间", default=timezone.now)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="core_idempotency_user_key_uniq"),
            # NULLs never collide in a unique index: anonymous requests need their own constraint.
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(user_id__isnull=True), name="core_idempotency_anon_key_uniq"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


# --- Outbox --------------------------------------------------------------------------------------


class OutboxMessage(TimeStampedModel):
    """A notification written in the sender's transaction and delivered later by a worker."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"
        INAPP = "inapp", "站内消息"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = EncryptedCharField("收件人", max_length=254)
    recipient_hash = PiiHashField()
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True, null=True, blank=True)
    # The region of the case or appeal the message is about (the sharding key, docs/scale.md); empty
    # for messages about no region's work (an account's sign-in code).
    region_code = models.CharField("区划代码", max_length=12, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="core_outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False), name="core_outbox_sent_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} {self.get_state_display()}"


# --- In-app inbox --------------------------------------------------------------------------------


class InboxMessage(models.Model):
    """One in-app message to one user, written by ``yiwang.core.notify.notify`` in the sender's
    transaction. ``key`` makes a retried notification write nothing twice for the same user.

    The user is the one foreign key core holds to another app: an inbox without its owner has no
    meaning, and the user model is swappable (``AUTH_USER_MODEL``), so core names no app.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="inbox_messages"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    template = models.CharField("消息模板", max_length=100)
    key = models.CharField("去重键", max_length=200)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_inbox_user_key_uniq")]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="core_inbox_user_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
