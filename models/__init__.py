"""guanche's own language resources, shipped as package data (see README.md in this folder):
the unit registry and the commitment-strength lexicon. Read them through :func:`resource`, which
finds them wherever the package is installed, never through a path computed from the repository.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(name: str) -> Traversable:
    """The shipped file ``name`` of this package (``units.csv``, ``commitment_strength.toml``)."""
    return files(__name__).joinpath(name)
