"""Reading the pipe tables of a Markdown page, so tests can compare them with the code."""

from __future__ import annotations

from pathlib import Path


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _level(line: str) -> int:
    """The level of a Markdown heading line (`## x`: 2), 0 for any other line."""
    marks = len(line) - len(line.lstrip("#"))
    return marks if marks and line[marks : marks + 1] == " " else 0


def _section(lines: list[str], heading: str) -> list[str]:
    """The lines under `heading` (a whole heading line) up to the next one of its level."""
    start = lines.index(heading)
    level = _level(heading)
    for end in range(start + 1, len(lines)):
        if 0 < _level(lines[end]) <= level:
            return lines[start:end]
    return lines[start:]


def tables(page: Path, *, under: str | None = None) -> list[tuple[list[str], list[list[str]]]]:
    """Every table of `page` (or of its section `under`) as (header cells, rows of cells)."""
    found: list[tuple[list[str], list[list[str]]]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    if under is not None:
        lines = _section(lines, under)
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


def rows_of(page: Path, header: list[str], *, under: str | None = None) -> list[list[str]]:
    """The rows of every table of `page` (or of its section `under`) whose header is `header`."""
    return [row for head, rows in tables(page, under=under) if head == header for row in rows]


def code(cell: str) -> str:
    """The text inside the backticks of a table cell like `` `name` ``."""
    cell = cell.strip()
    if not (cell.startswith("`") and cell.endswith("`")):
        raise AssertionError(f"expected `code` in the table cell {cell!r}")
    return cell[1:-1]
