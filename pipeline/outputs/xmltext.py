"""Text as XML 1.0 can hold it: the one place where the outputs written as XML (graph.graphml,
the sheets of guanche.xlsx) drop the characters it cannot. CSV and Parquet keep the text as read.
"""

from __future__ import annotations

import re

# XML 1.0 characters are tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000 up: this is the rest
# (lone surrogates included, which a Python str can hold).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (NUL and the other C0 controls but
    tab, LF and CR; U+FFFE, U+FFFF; lone surrogates): ``text`` itself when it has none."""
    return _NOT_XML.sub("", text)


def is_xml_text(text: str) -> bool:
    """Whether XML 1.0 can hold ``text`` as it is."""
    return _NOT_XML.search(text) is None
