"""Messages of applicant accounts, registered once with the notifier (``yiwang.core.notify``).

``accounts.sign_in_code`` (SMS: ``code``, ``minutes``); ``accounts.authorisation_decided`` (inbox:
``entity``, ``result``).
"""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "accounts.sign_in_code": MessageTemplate(
        title="登录验证码",
        body="您的登录验证码为{code}，{minutes}分钟内有效。",
        sms="【{sign}】您的登录验证码为{code}，{minutes}分钟内有效。工作人员不会向您索取验证码，请勿告诉他人。",
    ),
    "accounts.authorisation_decided": MessageTemplate(
        title="企业经办授权{result}",
        body="您代表“{entity}”办事的授权申请{result}。{note}",
    ),
}

register_templates(TEMPLATES)
