"""Text that users wrote, made inert before codev quotes it in a Discourse post.

The proof rests on one CommonMark rule: the content of a code span is literal. Discourse's mentions,
hashtags, emoji, linkify, onebox, BBCode and HTML rules only look at text tokens (or at the start of a
line), and a code span is consumed whole by the backtick rule at its opening fence. So `quote` puts
user text in a code span whose fence is longer than any backtick run inside (runs are first squeezed
to one backtick, so the fence is at most two long and never opens a fenced code block even at a line
start), flattens every line break (a code span cannot then end a block or start a new one), strips
control and bidi-override characters, and caps the length. Links codev builds itself come only from
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
# Characters that start Markdown, HTML or Discourse syntax; others stay unescaped for readable raw text.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()<>#+\-.!|~&@])")


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
    """User text as an inline code span that Discourse cannot turn into a mention, link, tag or markup."""
    body = _BACKTICKS.sub("`", clean(text, limit)) or EMPTY
    fence = "``" if "`" in body else "`"
    # One space each side: CommonMark strips exactly one, so a leading or trailing backtick stays inside.
    return f"{fence} {body} {fence}"


def title(text: str | None, limit: int = 200) -> str:
    """User text for a topic title (titles are not cooked, but stay on one line and within length)."""
    return clean(text, limit) or EMPTY


def plain(text: str, limit: int = 500) -> str:
    """Text from codev's own config (labels, reasons) with Markdown punctuation escaped; not for user text."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", clean(text, limit))


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
    """A link to a profile whose text is the username in a code span (no mention); quoted text if invalid."""
    if not is_username(username):
        return quote(username, 60)
    return f"[{quote(username, 60)}](/u/{username})"


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    # Do not leave a combining mark without its base letter.
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS
