"""The text a person reads on a page: text nodes and labelling attributes, without scripts,
styles, and data marked translate="no" (names, SKUs, notes: they stay as typed)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# <title> repeats the page heading, whose data parts are marked in the body.
SKIP = {"script", "style", "textarea", "title"}
READ_ATTRS = ("aria-label", "placeholder", "title", "alt")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its content hidden from the check
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = bool(self.stack and self.stack[-1]) or a.get("translate") == "no" or tag in SKIP
        if not hidden:
            self.texts += [a[k] for k in READ_ATTRS if a.get(k)]
        if tag not in VOID:
            self.stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(data.strip())


def readable_text(html: str) -> list[str]:
    r = _Reader()
    r.feed(html)
    return r.texts
