"""HTML pages: the document body without navigation, and gov.cn's metadata table.

Parsed with lxml's HTML parser, which is several times faster than BeautifulSoup on the
page sizes government sites serve.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree, html

from pipeline.errors import InputError
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.readers.base import ReadResult, table_row_line
from pipeline.ingest.script import to_simplified

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "center",
    "dd",
    "dt",
    "dl",
    "form",
    "header",
    "footer",
    "main",
}
_NOISE_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "aside")
# gov.cn metadata labels → our metadata keys (a label written in traditional characters is read
# through its simplified form).
_GOVCN_FIELDS = {
    "标题": "title",
    "发文机关": "issuer",
    "成文日期": "issued_on",
    "发文字号": "doc_number",
    "发布日期": "published_on",
    "索引号": "index_number",
    "主题分类": "topic",
}


def _has_class(name: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


# Known content containers, most specific first: gov.cn's, then common CMS and HTML5 ones.
_BODY_PATHS = [
    '//*[@id="UCAP-CONTENT"]',
    _has_class("pages_content"),
    '//*[@id="zoom"]',
    _has_class("article"),
    "//article",
    "//main",
]


# A leading <!DOCTYPE …> with its internal subset ([ <!ENTITY …> ]), quoted strings and comments
# inside it skipped over: libxml2's HTML parser does not know internal subsets and leaves "]>" as text.
_DOCTYPE = re.compile(
    r"""\A\s*<!DOCTYPE(?:"[^"]*"|'[^']*'|[^"'\[>])*+"""
    r"""(?:\[(?:"[^"]*"|'[^']*'|<!--(?:[^-]|-(?!->))*-->|<(?!!--)|[^"'<\]])*+\])?\s*>""",
    re.IGNORECASE | re.DOTALL,
)
_LABEL_MAX = 20  # characters of a label cell such as "标　　题：", spaces included


def _label(text: str) -> str:
    return re.sub(r"[\s:：\u3000]", "", text)


def _text(element) -> str:
    """All text inside ``element``, whitespace runs folded to one space."""
    return " ".join(element.text_content().split())


def read_govcn_metadata(root) -> dict[str, str]:
    """Return the gov.cn metadata table's fields (标题, 发文机关, 成文日期, 发文字号, 发布日期, ...).

    Returns an empty dict for pages without such a table.
    """
    metadata: dict[str, str] = {}
    for cell in root.iter("td"):
        content = cell.text_content().strip()
        if len(content) > _LABEL_MAX:  # a content cell, not a field label: no need to clean it
            continue
        key = _GOVCN_FIELDS.get(to_simplified(_label(content)))  # 發文機關 on a traditional mirror too
        if key is None or key in metadata:
            continue
        value_cell = cell.getnext()
        while value_cell is not None and value_cell.tag != "td":
            value_cell = value_cell.getnext()
        value = _text(value_cell) if value_cell is not None else ""
        if value:
            metadata[key] = value
    return metadata


def _text_lines(node) -> list[str]:
    """Flatten ``node`` into lines: one per block element or <br>, one per table row."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = "".join(current).strip()
        if line:
            lines.append(line)
        current.clear()

    def add(text: str | None) -> None:
        if text:
            current.append(re.sub(r"\s+", " ", text))

    def walk(element) -> None:
        add(element.text)
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                add(child.tail)
                continue
            if child.tag == "br":
                flush()
            elif child.tag == "table":
                flush()
                for row in child.iter("tr"):
                    if next(row.iterancestors("table")) is child:
                        cells = [_text(cell) for cell in row if cell.tag in ("td", "th")]
                        line = table_row_line(cells)
                        if line.strip():
                            lines.append(line)
            elif child.tag in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)
            add(child.tail)

    walk(node)
    flush()
    return lines


def _body(root):
    """The element holding the document: a known content container (gov.cn's #UCAP-CONTENT,
    <article> …), else the block whose own paragraphs hold most of the page's text, else <body>.

    Menus and link lists rarely come as paragraphs, so the paragraph-richest block leaves them out.
    """
    for path in _BODY_PATHS:
        for found in root.xpath(path):
            if found.text_content().strip():
                return found
    body = root.find("body")
    body = root if body is None else body
    paragraph_text: dict[int, int] = {}
    blocks: dict[int, object] = {}
    for paragraph in body.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            blocks[id(parent)] = parent
            paragraph_text[id(parent)] = paragraph_text.get(id(parent), 0) + len(paragraph.text_content().strip())
    total = len(re.sub(r"\s+", "", body.text_content())) or 1
    if paragraph_text:
        richest = max(paragraph_text, key=paragraph_text.__getitem__)
        if paragraph_text[richest] >= 0.5 * total:
            return blocks[richest]
    return body


def read_html(data: bytes, path: Path) -> ReadResult:
    """Decode an HTML page and return its body text (paragraphs as lines) and metadata.

    The metadata holds gov.cn's table, when present, and the <title> as ``title_hint``. The
    DOCTYPE is dropped before parsing, so entities it declares are never expanded (no external
    entity is fetched, no entity expansion bomb): their references stay as written.
    Raises :class:`~pipeline.errors.InputError` on undecodable bytes and for a page with
    nothing but blanks, comments or a DOCTYPE.
    """
    text, encoding = decode_bytes(data, path)
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = html.document_fromstring(_DOCTYPE.sub("", text, count=1).encode("utf-8"), parser=parser)
    except etree.ParserError:  # nothing but blanks, comments or a DOCTYPE
        raise InputError(
            path, "empty web page: it holds no elements, only blanks or comments", "check it was saved completely"
        ) from None
    metadata = read_govcn_metadata(root)
    title = root.find(".//title")
    hint = _text(title) if title is not None else ""
    if hint:
        metadata["title_hint"] = hint
    etree.strip_elements(root, *_NOISE_TAGS, with_tail=False)
    return ReadResult(text="\n".join(_text_lines(_body(root))), encoding=encoding, metadata=metadata)
