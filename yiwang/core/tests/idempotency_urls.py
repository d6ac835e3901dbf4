"""A throwaway API and form view for the idempotency tests (``@pytest.mark.urls``).

String annotations on purpose: the decorator must keep django-ninja able to resolve them.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from ninja import NinjaAPI, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.models import IdempotencyRecord, OutboxMessage
from yiwang.core.outbox import outbox_enqueue

# Lets a test hold a request inside its view while another arrives with the same key.
view_entered = threading.Event()
view_may_finish = threading.Event()

api = NinjaAPI(urls_namespace="core-idempotency-test", auth=None)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


class MessageIn(Schema):
    phone: str
    body: str


class MessageOut(Schema):
    id: int
    state: str


def _enqueue(phone: str, body: str) -> OutboxMessage:
    if body == "slow":
        view_entered.set()
        view_may_finish.wait(10)
    if body == "boom":
        raise RuntimeError("gateway exploded")
    if not body:
        raise ApplicationError("message.empty", "短信内容不能为空", details={"field": "body"})
    with transaction.atomic():
        message = outbox_enqueue(channel="sms", recipient=phone, body=body)
        if body == "taken over":
            # Another request judged this one abandoned and took the key meanwhile.
            IdempotencyRecord.objects.update(claim_token="someone-else")
        return message


@api.post("/messages", response={201: MessageOut})
@idempotent
def create_message(request, payload: MessageIn):
    return Status(201, _enqueue(payload.phone, payload.body))


@idempotent
def create_message_form(request):
    message = _enqueue(request.POST["phone"], request.POST["body"])
    return HttpResponseRedirect(f"/form/messages/{message.pk}/")


@api.post("/letters", response={201: MessageOut})
@idempotent(deduplicate=True)
def create_letter(request, payload: MessageIn):
    return Status(201, _enqueue(payload.phone, payload.body))


@idempotent(deduplicate=True)
def create_letter_form(request):
    if not request.POST.get("body"):
        return HttpResponse("请填写内容", status=200)  # the form shown again: nothing created
    message = _enqueue(request.POST["phone"], request.POST["body"])
    return HttpResponseRedirect(f"/form/letters/{message.pk}/")


urlpatterns = [
    path("api/", api.urls),
    path("form/messages/", create_message_form),
    path("form/letters/", create_letter_form),
]
