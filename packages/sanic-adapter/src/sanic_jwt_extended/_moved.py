"""The warning of the module paths of sanic-jwt-extended 1.0-dev, kept so that old imports work.

`sanic_jwt_extended.tokens`, `.jwt_manager`, `.exceptions`, `.blacklist`, `.config`,
`.handler` and `.redis` only re-export today's names; importing one warns once per process
with the import to write instead. See docs/migration/sanic-jwt-extended.md.
"""

from __future__ import annotations

import warnings

MIGRATION_PAGE = "docs/migration/sanic-jwt-extended.md"


def warn_moved(module: str, names: list[str]) -> None:
    """Warn, at the importing line, that `module` is an old path and what to import instead."""
    warnings.warn(
        f"{module} is a module path of sanic-jwt-extended 1.0-dev; import "
        f"{', '.join(names)} from sanic_jwt_extended instead (see {MIGRATION_PAGE})",
        DeprecationWarning,
        stacklevel=3,
    )
