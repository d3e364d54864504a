"""`python -m patroon`: the command line, as the Snakemake rules call it. During `make reports` the
command is handed to the build's warm server (patroon.warm), which runs it without starting Python and
importing the libraries again; elsewhere it runs here."""

import sys

from patroon.warm import hand_over

status = hand_over(sys.argv[1:])
if status is None:
    from patroon.cli import main

    status = main()
sys.exit(status)
