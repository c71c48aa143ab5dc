"""``python -m pipeline`` runs the command line."""

from pipeline.cli.console import entry_point

entry_point()
