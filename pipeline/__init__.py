"""guanche pipeline: read plans and regulations, structure them, extract, link and export."""

__version__ = "0.1.0"
