"""CSV in and out for registers kept in spreadsheets (the asset register, the service catalogue).

One place for two rules: an export never hands a spreadsheet a formula, and an import is all or nothing:
every bad row is reported with its line number and nothing is written.

No formula, in two layers. A cell (XLSX or CSV) that starts with = + - @, a tab or a carriage return gets
a leading ' (`safe_cell`). A CSV is also read by spreadsheets that split lines on another separator
(a semicolon where the decimal mark is a comma, a tab) or ignore quotes: there a summary such as
`x;=cmd|' /C calc'!A0;` became a cell starting with `=` (issue 16). So every CSV is written by one
function, `write_csv`: every text cell quoted (QUOTE_NONNUMERIC; numbers stay numbers), and a ' put
before a trigger that follows any separator (`,` `;` tab, or a line break), spaces between included
(`csv_cell`). The admin's exports (`csv_response`) and the report's ticket CSV both go through it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A trigger after a separator a spreadsheet may split on (or a line break), spaces between allowed: it
# starts a cell there. Tab, CR and LF are separators themselves, so only = + - @ are looked for after one.
_STARTS = frozenset(FORMULA_TRIGGERS)
_TRIGGER_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n] *)(?=[=+\-@])")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file as a spreadsheet numbers it: the header is line 1
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ImportRefused(Exception):
    """The whole file was refused; `errors` says which lines and why. Nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:5]))


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet shows as typed: text that could start a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs, whatever separator it splits on: safe_cell, and a ' before a
    trigger that follows a separator (`x;=cmd` -> `x;'=cmd`). Numbers and dates pass as they are."""
    if not isinstance(value, str):
        return safe_cell(value)
    if value[:1] in _STARTS or (value[:1] == " " and value.lstrip(" ")[:1] in _STARTS):
        value = "'" + value
    if _TRIGGER_AFTER_SEPARATOR.search(value) is None:  # nearly every cell: no second pass
        return value
    return _TRIGGER_AFTER_SEPARATOR.sub(r"\1'", value)


def write_csv(stream: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel reads isiXhosa names right) to a text stream: every cell
    through csv_cell, every text cell quoted. The one CSV writer of the project."""
    stream.write("\ufeff")
    writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A CSV download written by write_csv."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, header, rows)
    return response


def read_csv(
    upload: Any,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    max_bytes: int = MAX_IMPORT_BYTES,
    max_rows: int = MAX_IMPORT_ROWS,
) -> list[tuple[int, dict[str, str]]]:
    """Read an uploaded CSV into (line number, row) pairs, values stripped, blank lines skipped.

    Raises ImportRefused for a file that is too big, not UTF-8 text, or whose header lacks a required
    column or names one we do not know (a misspelt column would otherwise be silently ignored).
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImportRefused([RowError(0, f"The file is larger than {max_bytes // (1024 * 1024)} MB.")])
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ImportRefused([RowError(0, f"The file is larger than {max_bytes // (1024 * 1024)} MB.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = "The file is not UTF-8 text; save it from the spreadsheet as CSV UTF-8."
        raise ImportRefused([RowError(0, message)]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportRefused([RowError(0, "The file is empty.")]) from None
    except csv.Error as exc:
        raise ImportRefused([RowError(1, f"The header cannot be read: {exc}.")]) from None
    errors = []
    missing = [name for name in required if name not in header]
    if missing:
        errors.append(RowError(1, f"missing column(s): {', '.join(missing)}"))
    unknown = [name for name in header if name and name not in (*required, *optional)]
    if unknown:
        errors.append(RowError(1, f"unknown column(s): {', '.join(unknown)}"))
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        errors.append(RowError(1, f"column(s) named twice: {', '.join(duplicated)}"))
    if errors:
        raise ImportRefused(errors)

    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                errors.append(RowError(line, f"has {len(values)} values where the header has {len(header)}"))
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=True) if name}
            rows.append((line, row))
            if len(rows) > max_rows:
                raise ImportRefused([RowError(line, f"more than {max_rows} rows; split the file.")])
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"cannot be read: {exc}"))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([RowError(0, "The file has a header but no rows.")])
    return rows
