"""HTML pages: the document body without navigation, and gov.cn's metadata table."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from pipeline.decode import decode_bytes
from pipeline.readers.base import ReadResult, table_row_line

_BLOCK_TAGS = {
    "p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "center", "dd", "dt", "dl", "form", "header", "footer", "main",
}
_NOISE_TAGS = ["script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "aside"]
# gov.cn metadata labels → our metadata keys.
_GOVCN_FIELDS = {
    "标题": "title",
    "发文机关": "issuer",
    "成文日期": "issued_on",
    "发文字号": "doc_number",
    "发布日期": "published_on",
    "索引号": "index_number",
    "主题分类": "topic",
}
_BODY_SELECTORS = ["#UCAP-CONTENT", ".pages_content", "#zoom", ".article", "article", "main"]


def _label(text: str) -> str:
    return re.sub(r"[\s:：\u3000]", "", text)


def read_govcn_metadata(soup: BeautifulSoup) -> dict[str, str]:
    """Return the gov.cn metadata table's fields (标题, 发文机关, 成文日期, 发文字号, 发布日期, ...).

    Yields an empty dict for pages without such a table.
    """
    metadata: dict[str, str] = {}
    for cell in soup.find_all("td"):
        key = _GOVCN_FIELDS.get(_label(cell.get_text()))
        if key is None or key in metadata:
            continue
        value_cell = cell.find_next_sibling("td")
        if value_cell is not None:
            value = " ".join(value_cell.get_text().split())
            if value:
                metadata[key] = value
    return metadata


def _text_lines(node: Tag) -> list[str]:
    """Flatten ``node`` into lines: one per block element or <br>, one per table row."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = "".join(current).strip()
        if line:
            lines.append(line)
        current.clear()

    def walk(element: Tag) -> None:
        for child in element.children:
            if isinstance(child, NavigableString):
                if child.__class__.__name__ in ("Comment", "Doctype", "Declaration"):
                    continue
                current.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                name = child.name
                if name == "br":
                    flush()
                elif name == "table":
                    flush()
                    for row in child.find_all("tr"):
                        if row.find_parent("table") is not child:
                            continue
                        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
                        line = table_row_line(cells)
                        if line.strip():
                            lines.append(line)
                elif name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(node)
    flush()
    return lines


def _body(soup: BeautifulSoup) -> Tag:
    """The element holding the document: a known content container (gov.cn's #UCAP-CONTENT,
    <article> …), else the block whose own paragraphs hold most of the page's text, else <body>.

    Menus and link lists rarely come as paragraphs, so the paragraph-richest block leaves them out.
    """
    for selector in _BODY_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and found.get_text(strip=True):
            return found
    body = soup.body or soup
    paragraph_text: dict[int, int] = {}
    blocks: dict[int, Tag] = {}
    for paragraph in body.find_all("p"):
        parent = paragraph.parent
        if isinstance(parent, Tag):
            blocks[id(parent)] = parent
            paragraph_text[id(parent)] = paragraph_text.get(id(parent), 0) + len(paragraph.get_text(strip=True))
    total = len(body.get_text(strip=True)) or 1
    if paragraph_text:
        richest = max(paragraph_text, key=paragraph_text.get)
        if paragraph_text[richest] >= 0.5 * total:
            return blocks[richest]
    return body


def read_html(data: bytes, path: Path) -> ReadResult:
    """Decode an HTML page and return its body text (paragraphs as lines) and metadata.

    The metadata holds gov.cn's table, when present, and the <title> as ``title_hint``.
    Raises :class:`~pipeline.errors.InputError` on undecodable bytes.
    """
    text, encoding = decode_bytes(data, path)
    soup = BeautifulSoup(text, "lxml")
    metadata = read_govcn_metadata(soup)
    if soup.title and soup.title.get_text(strip=True):
        metadata["title_hint"] = soup.title.get_text(strip=True)
    for tag in soup(_NOISE_TAGS):
        tag.decompose()
    body = _body(soup)
    return ReadResult(text="\n".join(_text_lines(body)), encoding=encoding, metadata=metadata)
