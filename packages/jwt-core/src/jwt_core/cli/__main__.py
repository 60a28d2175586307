"""`python -m jwt_core.cli`: the same program as the `jwt-core` command."""

import sys

from jwt_core.cli import main

sys.exit(main())
