"""``python -m hfkg`` runs the command-line interface."""

from hfkg.cli import main

main()
