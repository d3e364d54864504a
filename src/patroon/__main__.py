"""`python -m patroon`: the command line, as the Snakemake rules call it."""

import sys

from patroon.cli import main

sys.exit(main())
