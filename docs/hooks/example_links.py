"""mkdocs hook: the example files the pages link to are published with the site.

Each Python block of a page is followed by a "Full example" link to its file, written relative
to the page in the repository (`../examples/docs/x.py`), so that it works on GitHub, where the
`--8<--` includes show only as include lines. Those files are outside `docs_dir`, so this hook
adds `examples/docs/` to the site as `examples/docs/` and points the links there: on the site
they open the very file the snippet comes from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

EXAMPLES = "examples/docs"
# A Markdown link target that leaves docs_dir for examples/docs/: `](../examples/docs/x.py)`.
LINK = re.compile(r"\]\(((?:\.\./)+" + EXAMPLES + r"/[^)\s#]+)\)")


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Publish every file of examples/docs/ at the same path under the site."""
    for path in sorted((_root(config) / EXAMPLES).iterdir()):
        if path.is_file():
            uri = f"{EXAMPLES}/{path.name}"
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: MkDocsConfig, files: Files) -> str:
    """Point links to repository example files at their published copies."""
    docs = Path(config.docs_dir).resolve()
    folder = (docs / page.file.src_uri).parent
    root = _root(config)

    def published(match: re.Match[str]) -> str:
        target = (folder / match.group(1)).resolve()
        inside = docs / target.relative_to(root)  # examples/docs/x.py as if under docs_dir
        return f"]({Path(os.path.relpath(inside, folder)).as_posix()})"

    return LINK.sub(published, markdown)
