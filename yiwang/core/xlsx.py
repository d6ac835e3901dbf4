"""What every Excel import/export of the platform shares (the catalog's items, org's regions and departments)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

# The most digits a spreadsheet number (an IEEE double) holds exactly (Excel shows 15).
EXACT_DIGITS = 15


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


class UnreadableWorkbook(Exception):
    """The upload is not a spreadsheet the reader understands."""


def _cell(value):
    """A cell as the importers expect it: ``None`` when blank; a whole number as ``int`` while a
    spreadsheet number can hold it exactly, else left a ``float`` (an importer that wants text, such as
    a long code, can then tell that Excel has already changed it)."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**EXACT_DIGITS:
        return int(value)
    return value


def read_workbook(file) -> dict[str, list[tuple]]:
    """Every sheet of an .xlsx (or .xls/.ods) upload as rows of cell values, the first row being row 1.

    Read with calamine (a compiled reader, about ten times openpyxl's speed on a 5,000-item catalog);
    numbers come back as floats and are turned back into ints by ``_cell``. Raises
    ``UnreadableWorkbook`` for anything that is not a workbook.
    """
    try:
        if isinstance(file, bytes):
            workbook = CalamineWorkbook.from_filelike(BytesIO(file))
        elif isinstance(file, str) or hasattr(file, "__fspath__"):
            workbook = CalamineWorkbook.from_path(str(file))
        else:
            if hasattr(file, "seek"):
                file.seek(0)
            workbook = CalamineWorkbook.from_filelike(file)
        sheets = {}
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets[name] = [tuple(_cell(v) for v in row) for row in rows]
        return sheets
    except Exception as exc:  # calamine raises several types for a file that is not a workbook
        raise UnreadableWorkbook(str(exc)) from exc
