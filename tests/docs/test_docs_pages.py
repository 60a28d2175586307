"""House rules of the docs: every Python example is an included file, and every file is tested.

A fenced Python block in a page may only include files (`--8<-- "examples/docs/x.py"`);
other fenced blocks are one line (a shell command, or one line of output). Every example
file is included by some page and run by some test in this folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.doc_pages import DOCS, PAGES, SNIPPET, fences
from tests.docs.example_files import EXAMPLES, ROOT


def includes(page: Path) -> list[str]:
    return [
        match.group(2)
        for line in page.read_text(encoding="utf-8").splitlines()
        if (match := SNIPPET.match(line))
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_fenced_blocks_follow_the_rules(page: Path) -> None:
    for block in fences(page):
        content = [text for text in block.body if text.strip()]
        snippets = [text for text in content if SNIPPET.match(text)]
        if block.language == "python":
            assert content, f"{block.where}: empty python block"
            assert snippets == content, f"{block.where}: python must come from examples/docs/ files"
        elif snippets != content or not content:
            kind = block.info or "plain"
            assert len(content) == 1, f"{block.where}: a {kind} block of several lines"


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
