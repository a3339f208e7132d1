"""``python -m sccgames`` runs the ``sccgames`` command."""

import sys

from sccgames.cli import main

sys.exit(main())
