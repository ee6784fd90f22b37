"""Reading a received mail: who sent it, what it answers, whether a person wrote it, and its text and files.

Nothing here touches the database. Decisions the inbound service relies on:
- Noise is recognised by its headers: `Auto-Submitted` other than `no`, `Precedence: bulk, junk
  or list`, `X-Autoreply`/`X-Autorespond`, any `List-*` header, TickIt's own loop header, and
  out-of-office subjects ("Automatic reply:", "Out of office"). A delivery status notification
  (multipart/report; report-type=delivery-status, or a mail from the mailer daemon with an empty
  return path) is a bounce, and the addresses it reports as failed are read from it.
- The body: HTML when the mail has it, sanitised with the comments' sanitiser; plain text when that
  is all there is. Quoted history and the signature are stripped: plain text with
  `mail-parser-reply`, HTML by dropping the quoted blocks mail clients mark (a trailing blockquote,
  Gmail's, Outlook's and Thunderbird's quote containers) and what follows a `-- ` line. When
  stripping would leave nothing, the whole text is kept. The raw message stays on its row for
  "show original".
- Mail clients' `<b>`, `<i>` and line `<div>`s become the editor's `<strong>`, `<em>` and `<p>`
  before sanitising; signature blocks (Gmail's, Thunderbird's, Outlook's and Apple Mail's
  containers) are dropped with the quotes.
- A new ticket's title is the subject without reply and forward prefixes (`title_of`).
- Every other part with a file name, and every inline image, is a file to attach. An inline
  image's place in the HTML is kept as a `[[cid:…]]` token (`CID_TOKENS`) for `mail_in` to fill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html import escape
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

from tickit.services.sanitize import clean_html, plain_text

REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "cs", "pt"]
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_OUT_OF_OFFICE = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|out of (the )?office|abwesenheitsnotiz|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|autosvar)\b",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster")
# Containers mail clients wrap quoted history and signatures in; dropped with what they hold.
_QUOTE_CLASSES = frozenset({"gmail_quote", "gmail_signature", "moz-cite-prefix", "moz-signature", "yahoo_quoted"})
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})
# Signature blocks by id: Outlook's (desktop, web, mobile) and Apple Mail's; dropped like a quote.
_SIGNATURE_IDS = frozenset({"signature", "x_signature", "ms-outlook-mobile-signature", "applemailsignature"})
# Mail clients' markup in the editor's words: bold and italic as the editor writes them, and a
# client's line containers (Gmail's and Outlook's divs) as paragraphs, so lines do not run together.
_RENAMED = {"b": "strong", "i": "em", "div": "p"}
# Where an inline image (`<img src="cid:…">`) stood: text the sanitiser keeps, which `mail_in`
# turns into the stored attachment's image once it exists.
_CID_TOKEN = "[[cid:{}]]"
CID_TOKENS = re.compile(r"\[\[cid:([^\]\s<>\"']{1,200})\]\]")
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|<br>)*</p>")
# "Re:", "AW:", "Fwd[2]:", repeated: what mail clients put before a subject they answer or forward.
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|fw|aw|wg|sv)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})


@dataclass(frozen=True)
class MailFile:
    """A file carried by the mail: an attachment or an inline image."""

    name: str
    content_type: str
    data: bytes
    inline: bool
    content_id: str = ""  # an inline part's Content-ID without <>, what the body's `cid:` names


@dataclass(frozen=True)
class ParsedMail:
    sender: str  # lower-cased address, "" when the mail names none
    sender_name: str
    subject: str
    message_id: str  # "<...>" or ""
    answers: tuple[str, ...]  # In-Reply-To then References, newest first, each "<...>"
    recipients: tuple[str, ...]  # To, Cc, Delivered-To, X-Original-To (lower-cased)
    noise: str  # why it is automatic mail ("" for a person's)
    bounced: tuple[str, ...]  # for a bounce: the addresses that failed
    loop: str  # TickIt's loop header, as received
    html: str  # the stripped body, sanitised
    full_html: str  # the whole body, sanitised
    files: tuple[MailFile, ...] = field(default=())
    copied: tuple[str, ...] = field(default=())  # the Cc addresses alone (lower-cased), for a new ticket's CCs

    @property
    def is_bounce(self) -> bool:
        return self.noise == "bounce"


def parse(raw: bytes, *, loop_header: str) -> ParsedMail:
    """Read `raw` (an RFC 5322 message). ValueError when it is not a mail at all."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("This is not a mail message: it has no headers.")
    sender_name, sender = _sender(message)
    subject = " ".join(str(message.get("Subject", "") or "").split())
    answers = (
        _ids(str(message.get("In-Reply-To", "") or ""))[::-1] + _ids(str(message.get("References", "") or ""))[::-1]
    )
    recipients = tuple(
        address.lower()
        for _, address in getaddresses(
            [str(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To") for v in message.get_all(h, [])]
        )
        if address
    )
    copied = tuple(
        address.lower() for _, address in getaddresses([str(v) for v in message.get_all("Cc", [])]) if address
    )
    bounced = _bounced(message)
    noise = "bounce" if bounced is not None else _noise(message, subject, sender)
    full_html, html = _body(message)
    ids = _ids(str(message.get("Message-ID", "") or ""))
    return ParsedMail(
        sender=sender,
        sender_name=sender_name,
        subject=subject[:300],
        message_id=ids[0] if ids else "",
        answers=tuple(dict.fromkeys(answers)),
        recipients=recipients,
        noise=noise,
        bounced=tuple(bounced or ()),
        loop=str(message.get(loop_header, "") or "").strip(),
        html=html,
        full_html=full_html,
        files=tuple(_files(message)),
        copied=tuple(dict.fromkeys(copied)),
    )


def title_of(subject: str) -> str:
    """A subject as a ticket title: without the `Re:`, `Fwd:`, `AW:`, `WG:`, `SV:` … prefixes, repeated or not."""
    return _REPLY_PREFIX.sub("", subject).strip()


def message_id_of(raw: bytes) -> str:
    """The Message-ID of a raw mail ("" when it has none or is unreadable): its key for storing once."""
    try:
        head = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        ids = _ids(str(head.get("Message-ID", "") or ""))
    except Exception:
        return ""
    return ids[0] if ids else ""


def text_as_html(text: str) -> str:
    """Plain text as paragraphs of escaped HTML, line breaks kept."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _sender(message: EmailMessage) -> tuple[str, str]:
    raw = str(message.get("From", "") or "")
    name, address = parseaddr(raw)
    address = address.strip().lower()
    if "@" not in address:
        return "", ""
    return " ".join(name.split())[:200], address


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _noise(message: EmailMessage, subject: str, sender: str) -> str:
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"auto-submitted ({auto.split(';')[0]})"
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if message.get(header) is not None:
            return f"{header.lower()} header"
    if any(key.lower().startswith("list-") for key in message.keys()):
        return "mailing-list mail"
    if _OUT_OF_OFFICE.match(subject):
        return "out-of-office reply"
    if sender.split("@")[0] in _DAEMONS:
        return "mail from the mail system"
    return ""


def _bounced(message: EmailMessage) -> list[str] | None:
    """The failed recipients of a delivery status notification, or None when the mail is not one."""
    is_report = message.get_content_type() == "multipart/report"
    is_dsn = is_report and message.get_param("report-type", "").lower() == "delivery-status"
    sender = parseaddr(str(message.get("From", "") or ""))[1].lower()
    from_daemon = sender.split("@")[0] in _DAEMONS and str(message.get("Return-Path", "<>")).strip() in ("<>", "")
    if not is_dsn and not (is_report and from_daemon):
        return None
    failed: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The payload is a list of header blocks: the per-message one, then one per recipient.
        for block in part.get_payload() or []:
            action = str(block.get("Action", "") or "").strip().lower()
            recipient = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", "") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if action == "failed" and "@" in address:
                failed.append(address)
    return failed


def _body(message: EmailMessage) -> tuple[str, str]:
    """The sanitised body whole, and stripped of quoted history and signature."""
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "", ""
    content = _text_of(part)
    if part.get_content_type() == "text/html":
        full = clean_html(content)
        stripped = _EMPTY_PARAGRAPH.sub("", clean_html(_without_quotes(content)))
        stripped = _without_signature(stripped)
    else:
        full = clean_html(text_as_html(content))
        latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=content)
        stripped = clean_html(text_as_html(latest or ""))
    return full, stripped if plain_text(stripped) else full


def _text_of(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _files(message: EmailMessage):
    body = message.get_body(preferencelist=("html", "plain"))
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename() or ""
        content_type = part.get_content_type()
        inline_image = content_type.startswith("image/") and (disposition == "inline" or part.get("Content-ID"))
        if not name and not inline_image and disposition != "attachment":
            continue  # an alternative body (the plain text beside the HTML), not a file
        if content_type in ("message/delivery-status",):
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        if not name:
            extension = content_type.split("/", 1)[1].split("+")[0]
            name = f"inline-image.{extension}"
        content_id = str(part.get("Content-ID", "") or "").strip().strip("<>")
        yield MailFile(
            name=name, content_type=content_type, data=data, inline=bool(inline_image), content_id=content_id
        )


def _without_signature(html: str) -> str:
    """Cut a sanitised body at the `-- ` line that starts a signature."""
    match = re.search(r"(<p>|<br>)\s*--\s*(<br>|</p>)", html)
    return html[: match.start()] + ("</p>" if match.group(1) == "<br>" else "") if match else html


def _without_quotes(html: str) -> str:
    """The HTML without the containers mail clients put quoted history in, nor a trailing blockquote."""
    dropper = _QuoteDropper()
    dropper.feed(html)
    dropper.close()
    out = "".join(dropper.out)
    # A reply's header line ("On Mon, Ada wrote:") stays behind its dropped quote; take it too.
    return re.sub(r"(<div[^>]*>|<p[^>]*>)?[^<>]{0,300}\bwrote:\s*(</div>|</p>|<br\s*/?>)?\s*$", "", out.rstrip())


class _QuoteDropper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # > 0 while inside a dropped container
        self.ended = False  # everything after Outlook's reply header is history

    def handle_starttag(self, tag, attrs):
        if self.ended:
            return
        values = {k: (v or "") for k, v in attrs}
        quote = (
            set(values.get("class", "").lower().split()) & _QUOTE_CLASSES
            or values.get("id", "").lower() in _QUOTE_IDS | _SIGNATURE_IDS
            or (tag == "blockquote" and values.get("type", "").lower() == "cite")
        )
        if self.depth:
            if tag not in _VOID:
                self.depth += 1
            return
        if quote:
            if values.get("id", "").lower() in _QUOTE_IDS:
                self.ended = True
                return
            if tag not in _VOID:
                self.depth = 1
            return
        if tag == "img" and values.get("src", "").lower().startswith("cid:"):
            self.out.append(_CID_TOKEN.format(escape(values["src"][4:].strip(), quote=True)))
            return
        self.out.append(f"<{_RENAMED[tag]}>" if tag in _RENAMED else self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if self.ended:
            return
        if self.depth:
            if tag not in _VOID:
                self.depth -= 1
            return
        self.out.append(f"</{_RENAMED.get(tag, tag)}>")

    def handle_data(self, data):
        if not self.depth and not self.ended:
            self.out.append(escape(data, quote=False))

    def handle_entityref(self, name):
        if not self.depth and not self.ended:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.depth and not self.ended:
            self.out.append(f"&#{name};")
