"""``python -m pipeline`` runs the command line."""

from pipeline.console import entry_point

entry_point()
