"""Schemas every API module shares."""

from ninja import Schema


class ErrorOut(Schema):
    """Every error the API answers: a stable dotted ``code``, a Chinese ``message`` and structured ``details``."""

    code: str
    message: str
    details: dict
