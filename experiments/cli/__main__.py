"""``python -m experiments.cli``: the ``twin`` command."""

import sys

from experiments.cli import main

sys.exit(main())
