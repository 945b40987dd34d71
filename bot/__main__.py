"""`python -m bot` is `wbs`."""

import sys

from bot.cli.main import main

sys.exit(main())
