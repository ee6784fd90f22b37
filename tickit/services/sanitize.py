"""Comment HTML made safe to store and show: the Tiptap editor's schema and nothing else.

The allowlist matches what the editor writes (StarterKit without images, Link, Mention), so a
comment written in the editor survives unchanged and anything else is reduced to its text:
- tags p, br, strong, em, s, code, pre, blockquote, ul, ol, li, a, h2, h3, hr, span, and u
  (underline, which the editor does not write but mail does; it carries no attributes);
- `a href` with an absolute http, https or mailto URL only (relative URLs are dropped, so
  `//evil.example` or a bare path cannot slip past the scheme check); `rel` is always set to
  "noopener noreferrer nofollow" whatever the input says; `target` survives only as `_blank`,
  which Tiptap's Link writes by default and which the forced `noopener` makes safe;
- `ol start` (digits only); `class="language-…"` on pre and code for code blocks;
- on span only the Mention attributes: `data-type="mention"`, `data-id` (digits), `data-label`,
  `class="mention"`. A span without them is harmless and kept as a bare span. What a mention
  shows is never the writer's: `label_mentions` rewrites each one from the user it names.
- `img` only with a `src` that is one of TickIt's own attachment URLs (`{APP_URL}/attachments/
  <id>/download` or `/thumbnail`, served only to those who may see the ticket) and an `alt`; an
  image pointing anywhere else is removed, so nothing outside TickIt is ever loaded (no tracking
  pixels). Mail's inline images arrive this way (`mail_in`).
No style attribute, no element that loads or runs anything else. Script, style and the
foreign-content elements (svg, math) are removed with their content rather than unwrapped.

The output is a fixed point: `clean_html(clean_html(x)) == clean_html(x)`. One nh3 pass does
not always give that (stripping a tag can leave nesting that the HTML parser rebuilds
differently on the next pass, e.g. a heading that was inside a div inside a heading), so
`clean_html` repeats the pass until the output stops changing.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from tickit.config import get_settings

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "s",
        "u",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "hr",
        "span",
        "img",
    }
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Removed with everything inside them: their content is code, styles or foreign markup, not prose.
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "textarea",
        "title",
        "xmp",
        "noembed",
        "noframes",
        "select",
    }
)
_ATTRIBUTES = {
    "a": {"href"},
    "ol": {"start"},
    "pre": {"class"},
    "code": {"class"},
    "span": {"data-id", "data-label", "class"},
    "img": {"src", "alt"},
}
_FIXED_VALUES = {
    "a": {"target": {"_blank"}},
    "span": {"data-type": {"mention"}},
}
_DIGITS = re.compile(r"[0-9]{1,9}")
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_MAX_PASSES = 8
_SRCLESS_IMAGE = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Elements after which plain text needs a break, so "<p>a</p><p>b</p>" reads "a b", not "ab".
_BLOCKS = frozenset({"p", "br", "pre", "blockquote", "ul", "ol", "li", "h2", "h3", "hr", "div"})


def own_image_url(path: str) -> str:
    """The absolute URL of one of TickIt's attachment paths, as an `img src` the sanitiser keeps."""
    return get_settings().app_url.rstrip("/") + path


def _own_image(value: str) -> bool:
    prefix = re.escape(get_settings().app_url.rstrip("/"))
    return re.fullmatch(prefix + r"/attachments/[0-9]{1,12}/(download|thumbnail)", value.strip()) is not None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _own_image(value) else None
    if attribute in ("start", "data-id"):
        return value if _DIGITS.fullmatch(value.strip()) else None
    if attribute == "class":
        if tag == "span":
            return "mention" if value.strip() == "mention" else None
        return value.strip() if _LANGUAGE_CLASS.fullmatch(value.strip()) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=LINK_REL,
    generic_attribute_prefixes=set(),
    tag_attribute_values={
        tag: {name: set(values) for name, values in rules.items()} for tag, rules in _FIXED_VALUES.items()
    },
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
)


def clean_html(html_text: str) -> str:
    """Comment HTML reduced to the editor's allowlist; cleaning the result again changes nothing."""
    # A lone surrogate cannot cross into nh3 (or into the database) as UTF-8.
    cleaned = _clean_once(_LONE_SURROGATE.sub("\ufffd", html_text))
    for _ in range(_MAX_PASSES):
        again = _clean_once(cleaned)
        if again == cleaned:
            return cleaned
        cleaned = again
    # Never seen in practice; if the parser keeps reshaping the markup, keep the words only,
    # which is stable by construction.
    return _cleaner.clean(f"<p>{html.escape(plain_text(cleaned), quote=False)}</p>")


def _clean_once(html_text: str) -> str:
    # An image whose src was not TickIt's own is left with none: it goes whole.
    return _SRCLESS_IMAGE.sub("", _cleaner.clean(html_text))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.mention_ids: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")
        if tag == "span":
            values = dict(attrs)
            if values.get("data-type") == "mention" and _DIGITS.fullmatch(values.get("data-id") or ""):
                self.mention_ids.append(int(values["data-id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _collect(html_text: str) -> _TextCollector:
    collector = _TextCollector()
    collector.feed(html_text)
    collector.close()
    return collector


def plain_text(html_text: str) -> str:
    """The words of an HTML fragment, entities decoded and whitespace collapsed (for search and mail)."""
    return " ".join("".join(_collect(html_text).parts).split())


def mentioned_ids(html_text: str) -> list[int]:
    """The user ids of the mention spans in the (cleaned) HTML, first mention first, each once."""
    return list(dict.fromkeys(_collect(clean_html(html_text)).mention_ids))


def label_mentions(html_text: str, names: dict[int, str]) -> str:
    """Cleaned HTML with every mention showing `@name` of the user it points at.

    A mention of an id outside `names` (not someone who may be mentioned there) becomes its
    plain text, so no badge can claim to be someone it is not.
    """
    if "mention" not in html_text:
        return html_text
    labeller = _MentionLabeller(names)
    labeller.feed(html_text)
    labeller.close()
    return "".join(labeller.out)


class _MentionLabeller(HTMLParser):
    """Copies cleaned HTML as it is, except the insides of mention spans."""

    def __init__(self, names: dict[int, str]) -> None:
        super().__init__(convert_charrefs=False)
        self.names = names
        self.out: list[str] = []
        self.depth = 0  # spans open inside the mention being replaced; 0 outside one
        # The text of a mention that names nobody allowed (None inside a relabelled one).
        self.replaced: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag == "span"
            return
        values = dict(attrs)
        if tag == "span" and values.get("data-type") == "mention":
            self.depth = 1
            user_id = values.get("data-id") or ""
            name = self.names.get(int(user_id)) if _DIGITS.fullmatch(user_id) else None
            self.replaced = [] if name is None else None
            if name is not None:
                label = html.escape(name, quote=True)
                self.out.append(
                    f'<span data-type="mention" data-id="{int(user_id)}" data-label="{label}" class="mention">'
                    f"@{html.escape(name, quote=False)}</span>"
                )
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            self.out.append(f"</{tag}>")
            return
        self.depth -= tag == "span"
        if not self.depth and self.replaced is not None:
            self.out.append("".join(self.replaced))

    def _text(self, raw: str) -> None:
        if not self.depth:
            self.out.append(raw)
        elif self.replaced is not None:
            self.replaced.append(raw)

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")
