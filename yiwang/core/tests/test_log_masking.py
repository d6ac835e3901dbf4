"""No phone or ID number in any log line: Django, gunicorn, Celery, the SMS console backend."""

import io
import logging

import pytest
from celery.utils.log import get_task_logger

from yiwang.core.logmask import PiiMaskingFormatter
from yiwang.core.sms import ConsoleSmsBackend

PHONE = "13812345678"
ID_NUMBER = "610326199001011234"
DISGUISED_PHONE = "1 3 8-1234\u200b5678"


@pytest.fixture
def capture():
    """A handler of its own on a logger (as gunicorn's non-propagating loggers have)."""
    attached = []

    def attach(name: str, formatter: logging.Formatter | None = None) -> io.StringIO:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter or logging.Formatter("%(name)s %(message)s"))
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        attached.append((logger, handler, logger.level))
        logger.setLevel(logging.DEBUG)
        return stream

    yield attach
    for logger, handler, level in attached:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _assert_masked(output: str):
    assert output, "nothing was logged"
    digits = "".join(ch for ch in output if ch.isdigit())
    assert PHONE not in digits and ID_NUMBER not in digits, output
    assert "138****5678" in output


@pytest.mark.parametrize(
    "name",
    [
        "",  # root
        "django.request",
        "django.server",
        "gunicorn.error",
        "celery.worker.strategy",
        "celery.app.trace",
        "yiwang.hotline.services",
    ],
)
def test_it_masks_numbers_in_the_message_and_args_of_every_logger(capture, name):
    stream = capture(name)
    logger = logging.getLogger(name)
    logger.warning("回电 %s，身份证 %s", PHONE, ID_NUMBER)
    logger.error("citizen wrote: 请打 %s", DISGUISED_PHONE)
    logger.info(f"inline {PHONE} and {ID_NUMBER}")
    output = stream.getvalue()
    _assert_masked(output)
    assert output.count("\n") == 3


def test_it_masks_a_gunicorn_access_line(capture):
    stream = capture("gunicorn.access")
    propagate = logging.getLogger("gunicorn.access").propagate
    logging.getLogger("gunicorn.access").propagate = False
    try:
        atoms = {"h": "10.0.0.7", "r": f"GET /hotline/track/?phone={PHONE} HTTP/1.1", "s": "200"}
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s', atoms)
    finally:
        logging.getLogger("gunicorn.access").propagate = propagate
    _assert_masked(stream.getvalue())
    assert "10.0.0.7" in stream.getvalue() and '" 200' in stream.getvalue()


def test_it_masks_a_celery_task_log(capture):
    stream = capture("yiwang.hotline.tasks")
    get_task_logger("yiwang.hotline.tasks").warning("SMS to %s failed", PHONE)
    _assert_masked(stream.getvalue())


def test_it_masks_a_traceback_on_the_console_handler(capture):
    stream = capture("yiwang.core.tests.traceback", formatter=PiiMaskingFormatter("%(message)s"))
    try:
        raise ValueError(f"duplicate contact {PHONE}")
    except ValueError:
        logging.getLogger("yiwang.core.tests.traceback").exception("intake failed")
    assert "Traceback" in stream.getvalue()
    _assert_masked(stream.getvalue())


def test_it_leaves_lines_without_numbers_as_they_were(capture):
    stream = capture("yiwang.core.tests.plain")
    logging.getLogger("yiwang.core.tests.plain").info("sweep: %d deadlines, %s", 12, "2026-05-01")
    assert stream.getvalue() == "yiwang.core.tests.plain sweep: 12 deadlines, 2026-05-01\n"


def test_it_masks_the_sms_console_backend(capsys, settings):
    settings.DEBUG = True
    ConsoleSmsBackend().send(phone=PHONE, body=f"您的诉求已答复：请联系 139 8765 4321 或 {ID_NUMBER}")
    out = capsys.readouterr().out
    assert "138****5678" in out and "139****4321" in out and "6103**********1234" in out
    assert "8765" not in out and ID_NUMBER not in out
