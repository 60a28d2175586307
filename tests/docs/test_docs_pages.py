"""House rules of the docs: every Python example is an included file, and every file is tested.

A fenced Python block in a page may only include files (`--8<-- "examples/docs/x.py"`);
other fenced blocks are one line (a shell command, or one line of output). Every example
file is included by some page and run by some test in this folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.example_files import DOCS, EXAMPLES, ROOT

# Pages other helpers write; their examples are not (yet) files under examples/docs/.
NOT_OURS = {"security.md"}
SNIPPET = re.compile(r'^\s*--8<-- "([^"]+)"\s*$')
FENCE = re.compile(r"^(\s*)(```+)(.*)$")

PAGES = sorted(p for p in DOCS.rglob("*.md") if p.relative_to(DOCS).as_posix() not in NOT_OURS)


def fences(page: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, info string, body lines) of every fenced block of `page`."""
    found: list[tuple[int, str, list[str]]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, ticks, info = opening.groups()
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != ticks:
            body.append(lines[index][len(indent) :])
            index += 1
        found.append((index - len(body), info.strip(), body))
        index += 1
    return found


def includes(page: Path) -> list[str]:
    return [
        match.group(1)
        for line in page.read_text(encoding="utf-8").splitlines()
        if (match := SNIPPET.match(line))
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_fenced_blocks_follow_the_rules(page: Path) -> None:
    for line, info, body in fences(page):
        content = [text for text in body if text.strip()]
        where = f"{page.name}:{line}"
        snippets = [text for text in content if SNIPPET.match(text)]
        if info.split()[:1] == ["python"]:
            assert content, f"{where}: empty python block"
            assert snippets == content, f"{where}: python must come from examples/docs/ files"
        elif snippets != content or not content:
            assert len(content) == 1, f"{where}: a {info or 'plain'} block of several lines"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_included_files_and_sections_exist(page: Path) -> None:
    for target in includes(page):
        name, _, section = target.partition(":")
        path = ROOT / name
        assert path.is_file(), f"{page.name} includes missing {name}"
        assert path.parent == EXAMPLES, f"{page.name}: examples live in examples/docs/"
        if section and not section[0].isdigit():
            text = path.read_text(encoding="utf-8")
            assert f"--8<-- [start:{section}]" in text, f"{name} has no section {section}"
            assert f"--8<-- [end:{section}]" in text, f"{name} does not end section {section}"


def test_every_example_is_shown_and_tested() -> None:
    shown = {Path(target.partition(":")[0]).name for page in PAGES for target in includes(page)}
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    for example in sorted(EXAMPLES.glob("*.py")):
        assert example.name in shown, f"{example.name} is included by no page"
        assert f'"{example.name}"' in tests, f"{example.name} is run by no test"
    for output in EXAMPLES.glob("*.out"):
        assert output.with_suffix(".py").is_file(), f"{output.name} has no example"
