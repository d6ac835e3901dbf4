"""Receipt printing for the 7×24 kiosk, behind an interface.

A hall terminal drives a thermal printer; development and tests write the receipt to a file under
``MEDIA_ROOT/cases/receipts`` (``FileReceiptPrinter``) or keep it in memory
(``MemoryReceiptPrinter``). Choose with ``YIWANG_CASES = {"RECEIPT_PRINTER": "dotted.path"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.module_loading import import_string

from .conf import cases_setting


@dataclass(frozen=True)
class Receipt:
    title: str
    lines: list[str]

    def text(self) -> str:
        width = 32
        rule = "-" * width
        return "\n".join([self.title.center(width - len(self.title)), rule, *self.lines, rule, ""])


@dataclass(frozen=True)
class PrintJob:
    ok: bool
    reference: str
    message: str = ""


class ReceiptPrinter(Protocol):
    def print_receipt(self, receipt: Receipt) -> PrintJob: ...


class FileReceiptPrinter:
    def print_receipt(self, receipt: Receipt) -> PrintJob:
        name = f"cases/receipts/{timezone.now():%Y%m%d-%H%M%S-%f}.txt"
        saved = default_storage.save(name, ContentFile(receipt.text().encode("utf-8")))
        return PrintJob(True, saved)


class MemoryReceiptPrinter:
    printed: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> PrintJob:
        MemoryReceiptPrinter.printed.append(receipt)
        return PrintJob(True, f"memory:{len(MemoryReceiptPrinter.printed)}")


@cache
def _printer_class(path: str):
    return import_string(path)


def get_receipt_printer() -> ReceiptPrinter:
    return _printer_class(cases_setting("RECEIPT_PRINTER"))()
