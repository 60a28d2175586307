"""Every Python block of the site runs as pasted, and links the whole file it comes from.

A reader copies a block from the built site (includes expanded) into a file and runs it. The
first block a page shows from an example file runs on its own: its imports and setup are shown.
A later block that opens with imports is a program of its own too; one that does not goes on
from the blocks above it, so it runs pasted after them. Every Python block is followed by a
"Full example:" link to its file, which works on GitHub (where only the include lines show)
and on the site (docs/hooks/example_links.py publishes examples/docs/ with it).

Each program runs in a fresh interpreter, in an empty folder (after the page's shell steps or
environment where it has any), with a timeout, as a module not named `"__main__"`: a block that
starts a server guards it with `if __name__ == "__main__"`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.doc_pages import DOCS, PAGES, ROOT, Fence, fences
from tests.docs.example_files import EXAMPLES
from tests.docs.test_docs_cli import run_session

# Pastes the blocks one after the other into one module named `pasted` (not "__main__"), and
# runs them in turn; a traceback names the page and line of the block that failed.
PASTE_AND_RUN = """
import sys, types
module = types.ModuleType("pasted")
module.__file__ = "pasted.py"
sys.modules["pasted"] = module
for where, path in zip(sys.argv[1::2], sys.argv[2::2]):
    with open(path, encoding="utf-8") as file:
        exec(compile(file.read(), where, "exec"), module.__dict__)
"""
TIMEOUT = 120.0
# What a page has the reader do before its Python blocks run.
ENVIRONMENT = {
    # configuration.md: the block reads the secret from SANIC_JWT_SECRET_KEY, as it says.
    "configuration_app_config.py": {"SANIC_JWT_SECRET_KEY": "from-the-environment-" + "0" * 20},
}
KEYS_FROM_THE_PAGE = {"rotation_keyset.py", "rotation_steps.py", "rotation_from_single_key.py"}


def python_blocks() -> list[Fence]:
    return [block for page in PAGES for block in fences(page) if block.language == "python"]


def pastes() -> dict[str, list[Fence]]:
    """The Python blocks of each page, grouped by the example file they include."""
    groups: dict[str, list[Fence]] = {}
    for block in python_blocks():
        for target in block.includes()[:1]:
            name = Path(target.partition(":")[0]).name
            groups.setdefault(f"{block.page.relative_to(DOCS).as_posix()}:{name}", []).append(block)
    return groups


PASTES = pastes()


def prepare(name: str, folder: Path) -> dict[str, str]:
    """Do in `folder` what the page has the reader do first; the environment to run in."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("SANIC_", "JWT_"))
    }
    if name in KEYS_FROM_THE_PAGE:  # key-rotation.md: its `jwt-core keygen` steps write keys/
        shutil.copy(EXAMPLES / "rotation_keys.json", folder / "keys.json")
        run_session("rotation_session.sh", folder)
    return environment | ENVIRONMENT.get(name, {})


def run_pasted(blocks: list[Fence], folder: Path, environment: dict[str, str]) -> str:
    """Paste `blocks` in order into a fresh interpreter; its stderr if it fails, else ""."""
    arguments: list[str] = []
    for number, block in enumerate(blocks):
        path = folder / f"pasted_{number}.py"
        path.write_text(block.shown(), encoding="utf-8")
        arguments += [block.where, str(path)]
    process = subprocess.Popen(
        [sys.executable, "-c", PASTE_AND_RUN, *arguments],
        cwd=folder,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: whatever it starts goes down with it
    )
    try:
        _, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"did not finish in {TIMEOUT:.0f} s"
    return err if process.returncode else ""


def programs(blocks: list[Fence]) -> list[list[Fence]]:
    """The programs a reader pastes: a block that opens with imports starts a new one."""
    found: list[list[Fence]] = []
    for block in blocks:
        code = [line for line in block.shown().splitlines() if line.strip()]
        code = [line for line in code if not line.lstrip().startswith("#")]
        if not found or (code and code[0].startswith(("import ", "from "))):
            found.append([])
        found[-1].append(block)
    return found


@pytest.mark.parametrize("key", PASTES)
def test_python_blocks_run_as_pasted(key: str, tmp_path: Path) -> None:
    environment = prepare(key.rpartition(":")[2], tmp_path)
    for program in programs(PASTES[key]):
        failure = run_pasted(program, tmp_path, environment)
        shown = "\n".join(f"--- {block.where}\n{block.shown()}" for block in program)
        assert not failure, f"pasted one after the other, these blocks fail:\n{shown}\n{failure}"


@pytest.mark.parametrize("block", python_blocks(), ids=lambda block: block.where)
def test_python_blocks_link_their_full_example(block: Fence) -> None:
    files = {(ROOT / target.partition(":")[0]).resolve() for target in block.includes()}
    links = block.full_example_links()
    assert links, f"{block.where}: no 'Full example: [...](...)' line below the block"
    assert set(links) == files, f"{block.where}: the links {links} are not the files {files}"
    assert all(link.is_file() for link in links)


def test_every_python_block_is_pasted() -> None:
    assert sum(len(blocks) for blocks in PASTES.values()) == len(python_blocks())
