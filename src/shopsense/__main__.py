"""``python -m shopsense`` runs the command line."""

from shopsense.cli import main

main()
