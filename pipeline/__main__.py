"""``python -m pipeline`` runs the command line."""

from pipeline.cli import entry_point

entry_point()
