"""The org demo's data, read from ``data/*.json``: service-hall windows and one account per role.

JSON has no tuples or dates; this module rebuilds the shapes the generator uses (window rows as
``(number, kind, label)`` tuples, users as :class:`DemoUser` with a ``datetime.date`` birth).
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read(name: str):
    """One data file, parsed (``name`` without the ``.json``)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    department: str | None = None  # Department.code
    region: str | None = None  # Region.code
    hall: str | None = None  # ServiceHall.name
    window: int | None = None
    birth: dt.date = dt.date(1985, 6, 1)
    seq: str = "011"
    phone: str = ""
    uscc_body: str | None = None
    superuser: bool = False


def _user(row: dict) -> DemoUser:
    if "birth" in row:
        row = {**row, "birth": dt.date.fromisoformat(row["birth"])}
    return DemoUser(**row)


_windows = read("windows")
# County hall: mostly comprehensive windows (前台综合受理), a few specialised ones, and delivery
# windows at the end (统一窗口出件). Window 20 is the plan's “办不成事” window (highlight 4).
COUNTY_WINDOWS: list[tuple[int, str, str]] = [tuple(row) for row in _windows["county"]]
TOWN_WINDOWS: list[tuple[int, str, str]] = [tuple(row) for row in _windows["town"]]
ZONE_WINDOWS: list[tuple[int, str, str]] = [tuple(row) for row in _windows["zone"]]

# Realistic names; any likeness to a real person is unintended. ID numbers are valid-format,
# registered in 眉县 (610326), generated with the GB 11643 check character.
DEMO_USERS: list[DemoUser] = [_user(row) for row in read("users")]
