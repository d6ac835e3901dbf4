"""No phone or ID number in any log line.

Two layers, both installed by the settings module:

- ``install()`` wraps the process's log-record factory, so every record — from Django's request
  log, gunicorn's access and error logs, Celery's task log, the SMS console backend or any
  library — has its message formatted and masked (``pii.mask_text``) the moment it is created,
  whatever logger, handler or configuration later handles it (gunicorn's loggers do not
  propagate and Celery replaces the root handlers, so a filter on one handler would not do);
- ``PiiMaskingFilter`` does the same for a handler or logger it is attached to (the console
  handler of ``LOGGING``), and ``PiiMaskingFormatter`` masks the finished line, tracebacks
  included (an exception's text may quote a submitted value).
"""

import logging

from yiwang.core.pii import mask_text

_INSTALLED_FLAG = "_yiwang_pii_masking"


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Format the record's message with its args and mask it; the record then carries no args."""
    if getattr(record, _INSTALLED_FLAG, False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: mask what there is, let logging report the error
        record.msg = mask_text(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
    else:
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
    setattr(record, _INSTALLED_FLAG, True)
    return record


class PiiMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class PiiMaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


def install() -> None:
    """Mask every log record at creation (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _INSTALLED_FLAG, False):
        return

    def masking_factory(*args, **kwargs):
        return mask_record(factory(*args, **kwargs))

    setattr(masking_factory, _INSTALLED_FLAG, True)
    logging.setLogRecordFactory(masking_factory)
