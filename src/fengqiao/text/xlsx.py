"""Small helpers to read board exports (.xlsx/.csv) and parse their dates."""

from __future__ import annotations

import csv
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Sequence

__all__ = ["InputError", "read_table", "parse_datetime"]


class InputError(ValueError):
    """Bad input file; the message is bilingual and fit for end users."""


def read_table(path: str | os.PathLike, required: Sequence[str] = ()) -> tuple[list[str], list[list]]:
    """Return (header, rows) of the first sheet; checks ``required`` columns."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"文件不存在 / file not found: {p}")
    try:
        if p.suffix.lower() == ".csv":
            with open(p, encoding="utf-8-sig", newline="") as fh:
                data = list(csv.reader(fh))
        else:
            import openpyxl

            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
            try:
                data = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            finally:
                wb.close()
    except InputError:
        raise
    except Exception as e:  # openpyxl raises many kinds
        raise InputError(f"无法读取表格 / cannot read spreadsheet {p.name}: {e}") from e
    if not data:
        raise InputError(f"表格为空 / spreadsheet is empty: {p.name}")
    header = [str(h).strip() if h is not None else "" for h in data[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"缺少列 / missing column(s): {', '.join(missing)} (文件 / file: {p.name}; "
            f"现有列 / found: {', '.join(h for h in header if h)})"
        )
    rows = [list(r) + [None] * (len(header) - len(r)) for r in data[1:] if r and any(x not in (None, "") for x in r)]
    return header, rows


_DT = re.compile(
    r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})(?::|时)(\d{1,2})(?:(?::|分)(\d{1,2})(?:\.\d+)?)?秒?)?\s*$"
)


def parse_datetime(value) -> datetime | None:
    """Parse the mixed date formats of board exports; ``None`` if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        if 20000 < value < 80000:  # Excel serial day number
            return datetime(1899, 12, 30) + timedelta(days=float(value))
        return None
    m = _DT.match(str(value))
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
