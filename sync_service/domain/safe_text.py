"""Text that users wrote, made inert before codev quotes it in a Discourse post.

Quoted text reads as normal text. Discourse cooks with markdown-it, where a backslash before any ASCII
punctuation makes that character literal and a token of its own: markup, HTML, entities and BBCode
cannot open, and linkify (which runs before escaped characters are joined back into the text) cannot
see a URL, a domain or an e-mail address across an escaped dot, colon, slash or at sign. Discourse's
own rules that read the joined text afterwards (@mentions, #hashtags) need a letter right after the
sign: an invisible word joiner (U+2060) sits there. Line breaks are flattened (quoted text cannot
end a block or start one), control and bidi-override characters removed, the length capped.
Commands people are asked to type are shown as code spans; links codev builds come only from
integers and validated usernames.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_LIMIT = 120
ELLIPSIS = "…"
EMPTY = "—"

# Kept format characters: joiners shape Arabic and emoji, marks steer direction without overriding it.
_KEPT_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
_BACKTICKS = re.compile(r"`+")
_SPACES = re.compile(r"\s+")
_USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}")
# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
WORD_JOINER = "\u2060"
# Discourse's mentions and hashtags start at these signs and need a letter right after.
_SIGILS = frozenset("@#")


def clean(text: str | None, limit: int = DEFAULT_LIMIT) -> str:
    """One line of visible text: controls and overrides removed, spaces squeezed, capped at limit."""
    if not text:
        return ""
    out = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char.isspace() or category in ("Zl", "Zp"):
            out.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in _KEPT_FORMAT):
            continue
        else:
            out.append(char)
    flat = _SPACES.sub(" ", "".join(out)).strip()
    return _cap(flat, limit)


def quote(text: str | None, limit: int = DEFAULT_LIMIT) -> str:
    """User text as normal text that Discourse cannot turn into a mention, hashtag, link, markup or HTML."""
    return inert(clean(text, limit)) or EMPTY


def code(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Words to type (a command, a tag) as an inline code span, literal whatever they contain."""
    body = _BACKTICKS.sub("`", clean(text, limit)) or EMPTY
    fence = "``" if "`" in body else "`"
    # One space each side: CommonMark strips exactly one, so a leading or trailing backtick stays inside.
    return f"{fence} {body} {fence}"


def title(text: str | None, limit: int = 200) -> str:
    """User text for a topic title (titles are not cooked, but stay on one line and within length)."""
    return clean(text, limit) or EMPTY


def plain(text: str, limit: int = 500) -> str:
    """Text from codev's own config (labels, reasons) made as inert as user text."""
    return inert(clean(text, limit))


def inert(line: str) -> str:
    """One clean line with its ASCII punctuation escaped and a word joiner after each @ and #."""
    out = []
    for char in line:
        out.append("\\" + char if char in _ASCII_PUNCTUATION else char)
        if char in _SIGILS:
            out.append(WORD_JOINER)
    return "".join(out)


def is_username(name: str | None) -> bool:
    """True for a username codev may put in a /u/ link (ASCII, Discourse's characters, 60 at most)."""
    return bool(name) and _USERNAME.fullmatch(name or "") is not None


def topic_link(label: str, topic_id: int, post_number: int | None = None) -> str:
    """A Markdown link to a topic (or one of its posts) built only from integers; label is trusted text."""
    if isinstance(topic_id, bool) or not isinstance(topic_id, int) or topic_id <= 0:
        raise ValueError(f"topic id must be a positive integer, got {topic_id!r}")
    path = f"/t/{topic_id}"
    if post_number is not None:
        if isinstance(post_number, bool) or not isinstance(post_number, int) or post_number <= 0:
            raise ValueError(f"post number must be a positive integer, got {post_number!r}")
        path += f"/{post_number}"
    return f"[{label}]({path})"


def user_link(username: str) -> str:
    """A link to a profile whose text is the username (no mention); quoted text if the name is invalid."""
    if not is_username(username):
        return quote(username, 60)
    return f"[{inert(username)}](/u/{username})"


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    # Do not leave a combining mark without its base letter.
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS
