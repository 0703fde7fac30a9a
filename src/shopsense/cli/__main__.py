"""``python -m shopsense.cli`` runs the command line."""

from shopsense.cli import main

main()
