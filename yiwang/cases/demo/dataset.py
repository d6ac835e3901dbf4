"""The cases demo's data, read from ``data/*.json``.

- ``people.json``: surnames and given-name characters, villages, companies
  (``[name pattern with {v}, business scope, trade]``) and the topics of remote-help requests;
- ``reasons.json``: reasons to reject (``[reason, legal basis]``), to deny, to ask for correction,
  and why the clock pauses (by ``PauseKind``);
- ``popular.json``: relative demand by a word in the item name (a county hall's busiest items).

JSON has no tuples or enum keys; this module rebuilds them where the generator expects them.
"""

import json
from pathlib import Path

from ..models import PauseKind

DATA = Path(__file__).resolve().parent / "data"


def read(name: str):
    """One data file, parsed (``name`` without the ``.json``)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


_people = read("people")
SURNAMES: str = _people["surnames"]
GIVEN: str = _people["given"]
VILLAGES: list[str] = _people["villages"]
COMPANIES: list[tuple[str, str, str]] = [tuple(row) for row in _people["companies"]]
HELP_TOPICS: list[str] = _people["help_topics"]

_reasons = read("reasons")
REJECT_REASONS: list[tuple[str, str]] = [tuple(row) for row in _reasons["reject"]]
DENY_REASONS: list[str] = _reasons["deny"]
CORRECTION_NOTES: list[str] = _reasons["correction_notes"]
PAUSE_REASONS: dict[PauseKind, str] = {PauseKind(kind): text for kind, text in _reasons["pause"].items()}

# Relative demand by words in the item name (a county hall's busiest items).
POPULAR: dict[str, int] = read("popular")
