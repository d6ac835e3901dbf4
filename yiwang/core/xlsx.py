"""What every Excel import/export of the platform shares (the catalog's items, org's regions and departments)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook


@dataclass
class CellError:
    """One error of an all-or-nothing import, located by sheet, row and column (apps subclass it to set
    their default ``code``)."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    code: str = "import.cell_invalid"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        where = self.sheet
        if self.row:
            where += f" 第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file (a download, a test's upload)."""
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
