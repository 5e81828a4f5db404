"""Discourse's Markdown engine (discourse-markdown-it) for what a forum post meets.

As app/assets/javascripts/discourse-markdown-it/src/setup.js and engine.js build it: markdown-it's
default preset with html, breaks (traditional_markdown_linebreaks off), linkify limited to the site's
markdown_linkify_tlds, and the typographer. Inline BBCode tags are read at their bracket like an
inline rule. After markdown-it's own core rules (linkify runs before text_join, so an escaped
character splits a link), Discourse's core rules read the joined text outside links: emoji
(features/emoji.js, names and shortcuts such as `:)`) and the text post-processing of @mentions and
#hashtags (features/text-post-process.js, mentions.js, hashtag-autocomplete.js), each only between
boundaries (a space or punctuation) and never inside a link.

Left out, listed in docs/sandbox.md: the HTML sanitiser's allowlist, oneboxes, BBCode blocks'
rendering, watched and censored words, and the emoji list itself (any well-formed name is an emoji).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# config/site_settings.yml, markdown_linkify_tlds.
LINKIFY_TLDS = "com|net|org|io|onion|co|tv|ru|cn|us|uk|me|de|fr|fi|gov"
# pretty-text/mentions.js without unicode_usernames (JavaScript's \w is ASCII); the hashtag matcher of
# features/hashtag-autocomplete.js.
_POST_PROCESS = re.compile(
    r"@(?P<mention>\w[\w.-]{0,58}[^\W_]|\w)|#(?P<hashtag>[\u00C0-\u1FFF\u2C00-\uD7FF\w:-]{1,101})", re.ASCII
)
_EMOJI_NAME = re.compile(r":([a-z0-9_+-]{1,59}):")
# A part of pretty-text/emoji/data.js's translations: the shortcuts enable_emoji_shortcuts turns into emoji.
EMOJI_SHORTCUTS = {
    ":)": "slight_smile", ":-)": "slight_smile", ":(": "frowning", ":-(": "frowning", ";)": "wink",
    ";-)": "wink", ":'(": "cry", ":p": "stuck_out_tongue", ":P": "stuck_out_tongue",
    ":-P": "stuck_out_tongue", ":O": "open_mouth", ":-O": "open_mouth", ":D": "smiley", ":-D": "smiley",
    ":|": "expressionless", ":-|": "expressionless", ":/": "confused", "8-)": "sunglasses",
    ";P": "stuck_out_tongue_winking_eye", ";-P": "stuck_out_tongue_winking_eye", ":$": "blush",
    ":-$": "blush", "<3": "heart", "</3": "broken_heart",
}
_SHORTCUTS_LONGEST_FIRST = sorted(EMOJI_SHORTCUTS, key=len, reverse=True)
# Tags core Discourse and its bundled plugins read as BBCode (bbcode-inline.js, bbcode-block.js, quotes,
# details, poll, spoiler, local dates, chat transcripts).
BBCODE_TAGS = frozenset({
    "b", "i", "u", "s", "url", "email", "img", "code", "quote", "details", "summary", "spoiler", "poll",
    "date", "date-range", "wrap", "chat", "color", "size", "ul", "ol", "li", "left", "center", "right",
    "table", "tr", "td", "th", "hr",
})
Env = dict[str, Any]
_BBCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)(?:[= ][^\]\n]*)?\]")


def engine() -> MarkdownIt:
    """A markdown-it configured as Discourse's default site settings configure it."""
    md = MarkdownIt("js-default", {"html": True, "breaks": True, "linkify": True, "typographer": True})
    assert md.linkify is not None  # linkify-it-py is installed with the sandbox
    md.linkify.tlds(LINKIFY_TLDS.split("|"))
    # pushed after every core inline rule, link included, as bbcode-inline.js does (`md.inline.ruler.push`):
    # "[i](/t/3)" is a link, "[i]" alone a tag
    md.inline.ruler.push("bbcode_inline", _bbcode_inline)
    md.core.ruler.push("emoji", _emoji)
    md.core.ruler.push("text_post_process", _text_post_process)
    md.add_render_rule("bbcode", _render_bbcode)
    md.add_render_rule("emoji", _render_emoji)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("hashtag", _render_hashtag)
    return md


def _bbcode_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = _BBCODE.match(state.src, state.pos, state.posMax)
    if match is None or match.group(2).lower() not in BBCODE_TAGS:
        return False
    if not silent:
        token = state.push("bbcode", "span", 0)
        token.meta = {"name": match.group(2).lower(), "closing": bool(match.group(1))}
    state.pos = match.end()
    return True


def _boundary(text: str, index: int) -> bool:
    return isWhiteSpace(ord(text[index])) or isPunctChar(text[index])


def _text_post_process(state: StateCore) -> None:
    _replace_text(state, _mentions_and_hashtags, skip_all_links=True)


def _mentions_and_hashtags(text: str) -> list[Token] | None:
    result: list[Token] = []
    pos = 0
    for match in _POST_PROCESS.finditer(text):
        start, end = match.span()
        if start > 0 and not _boundary(text, start - 1):
            continue
        if end < len(text) and not _boundary(text, end):
            continue
        if start > pos:
            result.append(_text(text[pos:start]))
        kind = "mention" if match.group("mention") else "hashtag"
        token = Token(kind, "span", 0, content=match.group(0))
        token.meta = {"name": match.group(kind)}
        result.append(token)
        pos = end
    if not result:
        return None
    if pos < len(text):
        result.append(_text(text[pos:]))
    return result


def _emoji(state: StateCore) -> None:
    _replace_text(state, _emoji_in, skip_all_links=False)


def _emoji_in(text: str) -> list[Token] | None:
    result: list[Token] = []
    start = i = 0
    while i < len(text) - 1:
        found = _emoji_at(text, i)
        if found is None:
            i += 1
            continue
        name, length = found
        if i > start:
            result.append(_text(text[start:i]))
        token = Token("emoji", "img", 0, content=text[i:i + length])
        token.meta = {"name": name}
        result.append(token)
        i = start = i + length
    if not result:
        return None
    if start < len(text):
        result.append(_text(text[start:]))
    return result


def _emoji_at(text: str, i: int) -> tuple[str, int] | None:
    after_boundary = i == 0 or text[i - 1].isspace() or isPunctChar(text[i - 1])
    if not after_boundary:
        return None
    named = _EMOJI_NAME.match(text, i)
    if named is not None:
        return named.group(1), named.end() - i
    for shortcut in _SHORTCUTS_LONGEST_FIRST:
        end = i + len(shortcut)
        if text.startswith(shortcut, i) and (end == len(text) or text[end].isspace()):
            return EMOJI_SHORTCUTS[shortcut], len(shortcut)
    return None


def _replace_text(state: StateCore, split: Callable[[str], list[Token] | None], skip_all_links: bool) -> None:
    """pretty-text/text-replace.js: each text token outside links (all links, or autolinks only)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += _link_step(token, skip_all_links)
            replaced = split(token.content) if token.type == "text" and in_link <= 0 else None
            children += replaced if replaced is not None else [token]
        block.children = children


def _link_step(token: Token, skip_all_links: bool) -> int:
    if token.type in ("link_open", "link_close") and (skip_all_links or token.info == "auto"):
        return token.nesting
    if skip_all_links and token.type == "html_inline":
        if re.match(r"<a(\s.*)?>", token.content, re.I):
            return 1
        if token.content[:4].lower() == "</a>":
            return -1
    return 0


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _render_bbcode(self: object, tokens: Sequence[Token], idx: int, options: object, env: Env) -> str:
    name, closing = _escape(tokens[idx].meta["name"]), str(tokens[idx].meta["closing"]).lower()
    return f'<span data-bbcode="{name}" data-closing="{closing}"></span>'


def _render_emoji(self: object, tokens: Sequence[Token], idx: int, options: object, env: Env) -> str:
    name = _escape(tokens[idx].meta["name"])
    return (f'<img src="/images/emoji/twitter/{name}.png?v=12" title=":{name}:" class="emoji" '
            f'alt=":{name}:" loading="lazy" width="20" height="20">')


def _render_mention(self: object, tokens: Sequence[Token], idx: int, options: object, env: Env) -> str:
    name = tokens[idx].meta["name"]
    known = env.get("known_usernames")
    if known is not None and name.lower() not in known:
        return f'<span class="mention">@{_escape(name)}</span>'
    return f'<a class="mention" href="/u/{_escape(name.lower())}">@{_escape(name)}</a>'


def _render_hashtag(self: object, tokens: Sequence[Token], idx: int, options: object, env: Env) -> str:
    return f'<span class="hashtag-raw">{_escape(tokens[idx].content)}</span>'
