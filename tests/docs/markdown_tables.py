"""Reading the pipe tables of a Markdown page, so tests can compare them with the code."""

from __future__ import annotations

from pathlib import Path


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables(page: Path) -> list[tuple[list[str], list[list[str]]]]:
    """Every table of `page` as (header cells, rows of cells)."""
    found: list[tuple[list[str], list[list[str]]]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines) - 1:
        line, below = lines[index], lines[index + 1]
        if line.lstrip().startswith("|") and set(below.replace("|", "").strip()) <= set("-: "):
            if "-" not in below:
                index += 1
                continue
            header = _cells(line)
            rows: list[list[str]] = []
            index += 2
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                rows.append(_cells(lines[index]))
                index += 1
            found.append((header, rows))
        else:
            index += 1
    return found


def rows_of(page: Path, header: list[str]) -> list[list[str]]:
    """The rows of every table of `page` whose header is exactly `header`."""
    return [row for head, rows in tables(page) if head == header for row in rows]


def code(cell: str) -> str:
    """The text inside the backticks of a table cell like `` `name` ``."""
    cell = cell.strip()
    if not (cell.startswith("`") and cell.endswith("`")):
        raise AssertionError(f"expected `code` in the table cell {cell!r}")
    return cell[1:-1]
