"""Text helpers as Discourse does them: cooking raw Markdown, slugs, fancy titles, excerpts."""

from __future__ import annotations

import html
import re
import unicodedata

from discourse_sandbox.core.markdown import engine

_MD = engine()
_TAGS = re.compile(r"<[^>]+>")
_IMG = re.compile(r'<img[^>]*\ssrc="([^"]+)"')
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def cook(raw: str, known_usernames: set[str] | None = None) -> str:
    """Raw Markdown to the HTML Discourse stores as `cooked`; @mentions of known users become links."""
    cooked: str = _MD.render(raw, {"known_usernames": known_usernames})
    return cooked.strip()


def slugify(title: str) -> str:
    """Slug.for with the default ascii method; "topic" when nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_title.replace("'", "").lower()).strip("-")
    return slug[:255].strip("-") if slug and not slug.isdigit() else "topic"


def fancy_title(title: str) -> str:
    """Topic#fancy_title without smart quotes: HTML-escaped title."""
    return html.escape(title, quote=True).replace("&#x27;", "&#39;")


def plain_text(cooked: str) -> str:
    """The text of cooked HTML, whitespace squeezed."""
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", cooked))).strip()


def excerpt(cooked: str, length: int = 220) -> str:
    """PrettyText.excerpt: the first characters of the text, with an ellipsis when cut."""
    text = plain_text(cooked)
    if len(text) <= length:
        return html.escape(text, quote=False)
    return html.escape(text[:length].rstrip(), quote=False) + "&hellip;"


def first_image(cooked: str) -> str | None:
    """The first image of a post, which Discourse uses as the topic's image_url."""
    match = _IMG.search(cooked)
    return html.unescape(match.group(1)) if match else None


def word_count(raw: str) -> int:
    """Post#word_count: words of the raw text."""
    return len(raw.split())


_ODD_SPACES = re.compile("[\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def clean_title(title: str, prettify: bool = True) -> str:
    """TextCleaner.clean_title (title_prettify on, locale not en): what Discourse stores as the title."""
    text = title
    if prettify:
        text = re.sub(r"!+", "!", text)
        text = re.sub(r"\?+", "?", text)
        if re.search(r"[A-Z]", text) and text == text.upper():
            text = text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                                "abcdefghijklmnopqrstuvwxyz"))
        text = re.sub(r"\A([a-z]*)\b", lambda m: m.group(1).capitalize(), text, count=1, flags=re.A)
        text = re.sub(r"([^.])\.+(\s*)\Z", r"\1\2", text, count=1)
    text = re.sub(r" +", " ", text)
    return _ODD_SPACES.sub(" ", text).strip()
