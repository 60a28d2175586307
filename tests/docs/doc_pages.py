"""The pages of `docs/` as the site shows them: fenced blocks, and includes expanded.

`expand` follows pymdownx.snippets (the `--8<--` includes of mkdocs.yml): a whole file minus
its section marker lines, a line range `x.py:3:7` (`x.py:3:` to the end), or a section
`x.py:name`, the lines between `# --8<-- [start:name]` and `# --8<-- [end:name]` without the
markers of other sections inside it. The included lines take the include line's indent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.docs.example_files import DOCS, ROOT

# Pages other helpers write; their examples are not (yet) files under examples/docs/.
NOT_OURS = {"security.md"}
SNIPPET = re.compile(r'^(\s*)--8<-- "([^"]+)"\s*$')
SECTION = re.compile(r"--8<-- \[(start|end):([a-z][-_0-9a-z]*)\]")
FENCE = re.compile(r"^(\s*)(```+)(.*)$")
# A "Full example" link: `[...](../examples/docs/x.py)`, relative to the page in the repository.
FULL_EXAMPLE = re.compile(r"^\s*Full example: \[[^\]]+\]\(([^)\s]+)\)\s*$")

PAGES = sorted(p for p in DOCS.rglob("*.md") if p.relative_to(DOCS).as_posix() not in NOT_OURS)


@dataclass(frozen=True)
class Fence:
    """One fenced block of a page: where it opens, its info string, its body and what follows."""

    page: Path
    line: int
    info: str
    body: list[str]
    after: list[str]  # the page's lines after the closing fence, up to the next block

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(DOCS).as_posix()}:{self.line}"

    @property
    def language(self) -> str:
        return (self.info.split() or [""])[0]

    def includes(self) -> list[str]:
        return [match.group(2) for text in self.body if (match := SNIPPET.match(text))]

    def shown(self) -> str:
        """The block's text as the site shows it, includes expanded."""
        lines: list[str] = []
        for text in self.body:
            match = SNIPPET.match(text)
            if match is None:
                lines.append(text)
            else:
                lines.extend(match.group(1) + line for line in expand(match.group(2)))
        return "\n".join(lines) + "\n"

    def full_example_links(self) -> list[Path]:
        """The files the "Full example:" lines just below the block link to, resolved."""
        links: list[Path] = []
        for text in self.after:
            if not text.strip():
                continue
            match = FULL_EXAMPLE.match(text)
            if match is None:
                break
            links.append((self.page.parent / match.group(1)).resolve())
        return links


def fences(page: Path) -> list[Fence]:
    """Every fenced block of `page`, in order."""
    found: list[Fence] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, ticks, info = opening.groups()
        start = index + 1
        index = start
        while index < len(lines) and lines[index].strip() != ticks:
            index += 1
        body = [text[len(indent) :] for text in lines[start:index]]
        index += 1
        following = index
        while following < len(lines) and FENCE.match(lines[following]) is None:
            following += 1
        found.append(Fence(page, start, info.strip(), body, lines[index:following]))
    return found


def expand(target: str) -> list[str]:
    """The lines an include `path`, `path:start:end` or `path:section` brings in."""
    name, _, selector = target.partition(":")
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    if not selector:
        return [line for line in lines if not SECTION.search(line)]
    if selector[0].isdigit():
        first, _, last = selector.partition(":")
        return lines[int(first) - 1 : int(last) if last else None]
    shown: list[str] = []
    inside = False
    for line in lines:
        marker = SECTION.search(line)
        if marker is not None and marker.group(2) == selector:
            if marker.group(1) == "end":
                return shown
            inside = True
        elif inside and marker is None:
            shown.append(line)
    raise AssertionError(f"{name} has no section {selector}")
