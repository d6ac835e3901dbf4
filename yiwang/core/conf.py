"""Module settings: one helper every app reads its ``settings.<PREFIX>`` dict through.

    HOTLINE = {"REPLY_WORKDAYS": {"general": 3}}   # in the settings module

``app_settings("HOTLINE", DEFAULTS)`` returns an object whose ``get(key)`` (or ``[key]``) answers the
override when one is set and the default otherwise. Nested dicts merge key by key, so a deployment
changes only what differs. An unknown key — a typo in settings — is refused with
``ImproperlyConfigured`` naming the setting and the key, so it never silently keeps the default.
Settings are read on every call, so ``override_settings`` in tests takes effect at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_IMMUTABLE = (int, float, str, bytes, bool, type(None))


def _merge(base: Mapping, override: Mapping) -> dict:
    result = deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = {**result[key], **value}
        else:
            result[key] = value
    return result


class AppSettings:
    """The effective settings of one module: its defaults overridden by ``settings.<prefix>``."""

    def __init__(self, prefix: str, defaults: Mapping[str, Any]):
        self.prefix = prefix
        self.defaults = dict(defaults)
        # The settings dict last found valid and its keys: a page reads settings hundreds of times
        # (the dispatch queue read one 700 times, a set difference each), and they change only when
        # the settings object does (``override_settings`` puts a new one in place).
        self._checked: tuple[Any, frozenset] | None = None

    def _settings(self) -> Mapping:
        """``settings.<prefix>`` itself, checked (read only: ``overrides`` hands out a copy)."""
        value = getattr(settings, self.prefix, None) or {}
        checked = self._checked
        if checked is not None and checked[0] is value and checked[1] == value.keys():
            return value
        if not isinstance(value, Mapping):
            raise ImproperlyConfigured(f"{self.prefix} must be a dict of module settings")
        unknown = sorted(set(value) - set(self.defaults))
        if unknown:
            raise ImproperlyConfigured(f"{self.prefix} has unknown keys: {', '.join(unknown)}")
        self._checked = (value, frozenset(value))
        return value

    def overrides(self) -> dict:
        return dict(self._settings())

    def as_dict(self) -> dict:
        return _merge(self.defaults, self.overrides())

    def get(self, key: str) -> Any:
        if key not in self.defaults:
            raise KeyError(f"{self.prefix} has no setting {key!r}")
        overrides = self._settings()
        if key not in overrides:
            default = self.defaults[key]
            # A number or a string is handed out as it is; a dict or list as a copy the caller may change.
            return default if isinstance(default, _IMMUTABLE) else deepcopy(default)
        default, value = self.defaults[key], overrides[key]
        if isinstance(default, Mapping) and isinstance(value, Mapping):
            return {**default, **value}
        return value

    def is_default(self, key: str) -> bool:
        """Whether ``key`` keeps its default (pages label such numbers as the county default)."""
        return key not in self._settings()

    __getitem__ = get

    def __repr__(self) -> str:
        return f"AppSettings({self.prefix!r})"


def app_settings(prefix: str, defaults: Mapping[str, Any]) -> AppSettings:
    """The settings of one module; see the module docstring."""
    return AppSettings(prefix, defaults)
