"""Printing and saving results, shared by the benchmark scripts. Nothing here asserts a timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["fmt", "table", "write_json"]


def fmt(x: float | None, width: int = 8, digits: int = 2) -> str:
    """A number for the table, or a dash."""
    return f"{x:{width}.{digits}f}" if x is not None else f"{'-':>{width}}"


def table(rows: list[list[str]]) -> str:
    """Rows of text as columns: the first left-aligned, the others right; a rule under row 0."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(path: str, data: dict[str, Any]) -> None:
    """Save `data` (with `--json PATH`) and say so."""
    Path(path).write_text(json.dumps(data, indent=2) + "\n")
    print(f"\nwrote {path}")
