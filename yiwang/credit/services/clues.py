"""Risk-warning clues (filled in below)."""


def clues_for_record(record) -> list:
    return []


def clues_for_class_change(change) -> list:
    return []
