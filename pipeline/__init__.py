"""guanche pipeline: read plans and regulations, structure them, extract, link and export.

Progress is logged through the standard :mod:`logging` module under the ``pipeline`` logger
(``logging.basicConfig(level=logging.INFO)`` shows it in a notebook); ``guanche -v`` prints it.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
