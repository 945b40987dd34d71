"""`python -m bot` is `wbs`."""

import sys

from bot.cli import main

sys.exit(main())
