"""Upload checks: only PDF, JPEG and PNG, within the size limit, recognised by content, not by name.

The extension must be allowed *and* the first bytes must be that format's signature, so a renamed
executable is refused. Errors change nothing: the file is checked before anything is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from yiwang.core.errors import ApplicationError

from .conf import cases_setting

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG"}


@dataclass(frozen=True)
class CheckedUpload:
    file_type: str
    size: int
    sha256: str
    name: str


# A file name is stored on disk behind a 17-byte hash prefix; file systems allow 255 bytes per name.
NAME_MAX_BYTES = 150


def cut_name(name: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """The file name cut to ``max_bytes`` of UTF-8 (not characters: a Chinese character is 3 bytes),
    keeping its extension and never splitting a character."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    room = max_bytes - len(suffix.encode())
    return stem.encode()[:room].decode(errors="ignore") + suffix


def _allowed() -> tuple[str, ...]:
    return tuple(cases_setting("UPLOAD_TYPES"))


def upload_check(upload) -> CheckedUpload:
    """Check one uploaded file (a Django ``UploadedFile``); raise a specific error if it is refused.

    Errors: ``case.upload_empty``, ``case.upload_too_large`` (limit in details), ``case.upload_type_not_allowed``
    (by extension), ``case.upload_content_mismatch`` (the content is not what the name says).
    """
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    size = getattr(upload, "size", None) or 0
    allowed = _allowed()
    allowed_text = "、".join(LABELS[t] for t in allowed)
    if size <= 0:
        raise ApplicationError("case.upload_empty", f"文件“{name}”是空文件", details={"field": "file", "name": name})
    limit = int(cases_setting("UPLOAD_MAX_BYTES"))
    if size > limit:
        raise ApplicationError(
            "case.upload_too_large",
            f"文件“{name}”大小为 {size / 1048576:.1f} MB，超过 {limit / 1048576:.0f} MB 的上限",
            details={"field": "file", "name": name, "size": size, "limit": limit},
            status=413,
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    file_type = EXTENSIONS.get(extension)
    if file_type is None or file_type not in allowed:
        raise ApplicationError(
            "case.upload_type_not_allowed",
            f"文件“{name}”的类型不允许，只能上传 {allowed_text} 文件",
            details={"field": "file", "name": name, "allowed": list(allowed)},
            status=415,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES[file_type]):
        raise ApplicationError(
            "case.upload_content_mismatch",
            f"文件“{name}”的内容不是 {LABELS[file_type]} 格式，请上传原始文件",
            details={"field": "file", "name": name},
            status=415,
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file_type=file_type, size=size, sha256=digest.hexdigest(), name=cut_name(name))
