"""XML documents built as element trees (lxml lives here only), never as concatenated text.

Text from PDFs may hold characters XML 1.0 cannot carry (control characters, lone
surrogates); they are dropped here, so no title or snippet can make a response unparsable.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

Element = Any  # an lxml element; the callers only pass it back here
# What XML 1.0 allows: tab, newline, return, and the characters from space on, less the
# surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def root(tag: str, nsmap: dict[str | None, str], **attrs: str) -> Element:
    """A document's root element `{namespace}name`, declaring the namespaces of `nsmap`."""
    return etree.Element(tag, attrib={k: clean(v) for k, v in attrs.items()}, nsmap=nsmap)


def add(
    parent: Element,
    tag: str,
    text: str | None = None,
    attrs: dict[str, str] | None = None,
    nsmap: dict[str | None, str] | None = None,
) -> Element:
    """A new child `tag` of `parent` with `text` and `attrs` (attribute names may be
    `{namespace}name`); returns it."""
    attrib = {k: clean(v) for k, v in (attrs or {}).items()}
    child = etree.SubElement(parent, tag, attrib=attrib, nsmap=nsmap)
    if text is not None:
        child.text = clean(text)
    return child


def to_bytes(element: Element) -> bytes:
    """The document as UTF-8 with an XML declaration."""
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))
