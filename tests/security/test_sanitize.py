"""The comment sanitiser: the OWASP XSS filter-evasion vectors come out harmless, the editor's formatting survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickit.services.sanitize import ALLOWED_TAGS, LINK_REL, clean_html, mentioned_ids, plain_text

# From the OWASP XSS Filter Evasion Cheat Sheet, written out here so the test needs no network.
OWASP_VECTORS = [
    "<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>",
    "<script>alert('XSS')</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    "<SCRIPT>a=/XSS/\nalert(a.source)</SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E<p>ok</p>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083"
    '&#0000039&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
    '&#0000058alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A'
    '&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29">x</a>',
    "<a href=\"jav\tascript:alert('XSS');\">tab</a>",
    "<a href=\"jav&#x09;ascript:alert('XSS');\">encoded tab</a>",
    "<a href=\"jav&#x0A;ascript:alert('XSS');\">encoded newline</a>",
    "<a href=\"jav&#x0D;ascript:alert('XSS');\">encoded carriage return</a>",
    "<a href=\" &#14;  javascript:alert('XSS');\">spaces and meta chars</a>",
    '<a href="javascript&colon;alert(1)">named colon</a>',
    '<a href="JAVASCRIPT:alert(1)">upper</a>',
    '<a href="java\0script:alert(1)">nul</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">data</a>',
    "<a href=\"vbscript:msgbox('XSS')\">vb</a>",
    '<a href="livescript:alert(1)">live</a>',
    '<a href="//xss.rocks/xss.js">protocol relative</a>',
    '<a href="javascript:alert(1)" onclick="alert(2)">both</a>',
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<svg onload=alert(1)>",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>XSS</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(1)">CLICKME</math>',
    "<BODY ONLOAD=alert('XSS')>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>',
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072"
    "\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
    "<p style=\"width: expression(alert('XSS'));\">styled</p>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDA'
    "vc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3Lncz"
    "Lm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw "
    "IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc"
    '3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    "<isindex type=image src=1 onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    '<XSS STYLE="behavior: url(xss.htc);">',
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    '<span data-type="mention" data-id="1" onclick="alert(1)" style="color:red">@x</span>',
    '<code class="language-js" onmouseover="alert(1)">x</code>',
    '<ol start="1" onfocus="alert(1)" autofocus><li>x</li></ol>',
    '<a href="https://example.com" target="_self" rel="opener" onclick="alert(1)">keep href</a>',
    '<a href="https://example.com""onmouseover="alert(1)">quotes</a>',
    '<p><a href="javascript:alert(1)"><strong>nested</strong></a></p>',
    "<<p>>unclosed <b <i onmouseover=alert(1)>",
    '<img src="x" alt="" /><p>after</p>',
    "<x onclick=alert(1)>custom</x>",
]

_BAD_SCHEMES = ("javascript", "data", "vbscript", "livescript")
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "data", "xlink:href", "poster"})


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def url_scheme(url: str) -> str:
    """The scheme a browser would see: whitespace and control characters removed, lower-cased."""
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]", "", url).lower()
    return squeezed.split(":", 1)[0] if ":" in squeezed else ""


def assert_harmless(cleaned: str) -> None:
    assert "<script" not in cleaned.lower()
    for tag, attrs in elements(cleaned):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert name.lower() != "style", tag
            if name.lower() in _URL_ATTRIBUTES:
                assert url_scheme(value or "") not in _BAD_SCHEMES, (tag, name, value)
                assert url_scheme(value or "") in {"http", "https", "mailto"}, (tag, name, value)


def test_the_vector_list_is_representative():
    assert len(OWASP_VECTORS) >= 40


@pytest.mark.parametrize("vector", OWASP_VECTORS)
def test_an_owasp_vector_leaves_no_script_handler_or_dangerous_url(vector):
    cleaned = clean_html(vector)
    assert_harmless(cleaned)
    assert clean_html(cleaned) == cleaned


def test_script_and_style_content_is_removed_not_shown_as_text():
    assert clean_html("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>") == "<p>a</p><p>b</p>"


def test_the_editors_formatting_survives_unchanged():
    editor_html = (
        "<h2>Steps</h2>"
        "<p><strong>Bold</strong>, <em>italic</em>, <s>struck</s> and <code>inline code</code>.<br>Next line</p>"
        "<ul><li><p>one</p></li><li><p>two</p></li></ul>"
        '<ol start="3"><li><p>three</p></li></ol>'
        "<blockquote><p>quoted</p></blockquote>"
        '<pre><code class="language-python">print("hi") &lt; 2</code></pre>'
        "<hr>"
        f'<p><a target="_blank" rel="{LINK_REL}" href="https://example.com/a?b=1&amp;c=2">site</a> '
        f'<a target="_blank" rel="{LINK_REL}" href="mailto:help@example.com">mail</a> '
        '<span data-type="mention" class="mention" data-id="7" data-label="Ana">@Ana</span></p>'
    )
    cleaned = clean_html(editor_html)
    for fragment in (
        "<h2>Steps</h2>",
        "<strong>Bold</strong>",
        "<em>italic</em>",
        "<s>struck</s>",
        "<code>inline code</code>",
        "<br>",
        "<ul><li><p>one</p></li>",
        '<ol start="3">',
        "<blockquote><p>quoted</p></blockquote>",
        '<pre><code class="language-python">',
        "<hr>",
        'href="https://example.com/a?b=1&amp;c=2"',
        'href="mailto:help@example.com"',
        'data-id="7"',
        'data-type="mention"',
    ):
        assert fragment in cleaned, fragment
    assert mentioned_ids(cleaned) == [7]


def test_links_always_carry_the_forced_rel_and_only_blank_targets():
    cleaned = clean_html('<a href="http://example.com" rel="opener" target="_parent">x</a>')
    ((tag, attrs),) = elements(cleaned)
    assert attrs == {"href": "http://example.com", "rel": LINK_REL}
    ((_, attrs),) = elements(clean_html('<a href="https://example.com" target="_blank">x</a>'))
    assert attrs["target"] == "_blank"


def test_relative_and_other_scheme_links_lose_their_href():
    for href in ("/admin", "//evil.example/x", "ftp://example.com", "tel:123", "#top"):
        ((_, attrs),) = elements(clean_html(f'<a href="{href}">x</a>'))
        assert "href" not in attrs, href


def test_mention_attributes_are_kept_only_in_their_expected_shape():
    cleaned = clean_html('<span data-type="link" class="evil" data-id="1 OR 1" data-label="x">@x</span>')
    assert cleaned == '<span data-label="x">@x</span>'
    assert mentioned_ids(cleaned) == []


def test_mentioned_ids_are_read_from_mention_spans_once_each_in_order():
    html = "".join(f'<span data-type="mention" data-id="{i}">@{i}</span>' for i in (5, 2, 5, 9))
    assert mentioned_ids(html + '<span data-id="4">not a mention</span>') == [5, 2, 9]


def test_plain_text_strips_tags_decodes_entities_and_collapses_whitespace():
    assert plain_text("<p>Fish &amp; chips</p><p>  &lt;tag&gt;\n\n  here</p><ul><li>a</li><li>b</li></ul>") == (
        "Fish & chips <tag> here a b"
    )
    assert plain_text("one<br>two") == "one two"
    assert plain_text("") == ""


def test_a_lone_surrogate_does_not_break_the_sanitiser():
    assert clean_html("a\ud800b") == "a\ufffdb"


def test_cleaning_repeats_until_the_markup_is_stable():
    # One nh3 pass leaves <h2><h3>, which the parser splits on the next pass.
    once = clean_html("<h2><div><h3>x</h3></div></h2>")
    assert clean_html(once) == once


# fmt: off
_MARKUP_PIECES = [
    "<p>", "</p>", "<h2>", "</h2>", "<h3>", "</h3>", "<div>", "</div>", "<a href='https://x.org'>",
    "<a href='javascript:alert(1)'>", "</a>", "<ul>", "<ol start='2'>", "<li>", "</li>", "</ul>",
    "</ol>", "<pre>", "<code class='language-js'>", "</code>", "</pre>", "<table>", "<td>", "<tr>",
    "<blockquote>", "</blockquote>", "<strong>", "</strong>", "<em>", "<s>", "<br>", "<hr>", "<svg>",
    "<math>", "<script>", "</script>", "<style>", "<textarea>", "<select>", "<option>", "<button>",
    "<form>", "<span data-type='mention' data-id='3'>", "</span>", "<img src=x onerror=alert(1)>",
    "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&lt;", "&", "<", ">", '"', "'", "=", " ", "\n",
    "<noscript>", "<template>", "<title>", "<iframe>", "<frameset>", "<body>", "<head>", "<html>",
    "<caption>", "<p/>", "</br>", "<nobr>", "<b>", "</b>", "<i>", "<u>", "<font>", "<center>",
]
# fmt: on
_html_ish = st.lists(st.one_of(st.sampled_from(_MARKUP_PIECES), st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_cleaning_twice_changes_nothing_for_any_text(text):
    once = clean_html(text)
    assert clean_html(once) == once


@settings(max_examples=1500, deadline=None)
@given(_html_ish)
def test_cleaning_twice_changes_nothing_for_html_ish_input(markup):
    once = clean_html(markup)
    assert clean_html(once) == once
    assert_harmless(once)


def test_an_image_is_kept_only_from_tickit_s_own_attachment_urls(settings_env):
    own = clean_html('<p><img src="https://help.example.com/attachments/7/download" alt="photo" onerror="x"></p>')
    assert own == '<p><img src="https://help.example.com/attachments/7/download" alt="photo"></p>'
    for elsewhere in (
        "https://tracker.example.net/pixel.gif",
        "https://help.example.com/attachments/7/download?x=1",
        "https://help.example.com.evil.example/attachments/7/download",
        "/attachments/7/download",
        "data:image/png;base64,AAAA",
    ):
        assert clean_html(f'<p>a<img src="{elsewhere}" alt="x">b</p>') == "<p>ab</p>", elsewhere
