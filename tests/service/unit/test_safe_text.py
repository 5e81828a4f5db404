"""User text quoted by codev reads as normal text once Discourse cooks it, and stays inert.

The HTML comes from the sandbox's Markdown engine, which follows discourse-markdown-it (setup.js,
engine.js, features/text-post-process.js, mentions.js, hashtag-autocomplete.js, emoji.js): markdown-it
with html, breaks, linkify on markdown_linkify_tlds and the typographer, then Discourse's mentions,
hashtags and emoji over the joined text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from discourse_sandbox.core.markdown import engine
from sync_service.domain import safe_text
from sync_service.domain.posts import MARKER_PREFIX, RTL_OPEN

COOK = engine()
# The same engine without emoji, to compare the text word for word (an emoji image replaces `:)`).
WORDS = engine().disable("emoji")
# Token-level view for the code spans codev writes itself.
MD = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])

# Snippets of every syntax Discourse gives meaning to, plus scripts and invisible characters.
SNIPPETS = [
    "@bob", "@here", "@all", "@experts", "\\@x", "&#64;x", "&#x40;y", "(@z)", "mail@x.ma", "a@b.fr",
    "[quote]", "[/quote]", '[quote="bob, post:1, topic:2"]', "[details=a]", "[/details]", "[poll]",
    "[date=2026-01-01]", "[spoiler]", "[wrap=x]", "[b]", "[url=http://x.com]", "<b>",
    "<script>alert(1)</script>", "<!--", "-->", '<div dir="rtl">', "</div>", "<img src=x>",
    "http://evil.example/p", "https://x.y", "www.x.com", "evil.com", "x.fr", "//localhost/a",
    "http://localhost", "mailto:a@b.fr", "<https://x.y>", "[a](http://x)", "![i](http://x/i.png)",
    "[r]: http://x", "#cat", "#tag:x", "#تاغ", ":smile:", ":)", ";)", "<3", "8-)", "`", "``", "```",
    "````js", "~~~", "\n", "\r\n", "\r", "\n\n", "# ", "## ", "> ", "- ", "* ", "1. ", "1) ", "    ", "\t",
    "---", "===", "| a | b |", "*x*", "_y_", "~~z~~", "\\", "&amp;", "&lt;b&gt;", "(c)", "...", "--",
    '"q"', "'s", "{count}", "{{", "}}", "\u202e", "\u202d", "\u2066", "\u200b", "\u2060", "\u200f",
    "\u200d", "\u2028", "\u2029", "\u0085", "\x00", "\x1b[31m", "\ufeff", "evil\u3002com", "x\uff0ecom",
    "\uff20bob", "مرحبا بكم في الدوار", "\u0627\u0644\u0645\u0627\u0621", "ingénieur hydraulicien",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ", "🙂", "e\u0301",
]
USER_TEXT = st.lists(
    st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=6)), max_size=12
).map("".join)

_OUR_HREF = re.compile(r"/t/\d+(?:/\d+)?|/u/[A-Za-z0-9_][A-Za-z0-9_.-]*")
BLOCK_TAGS = {"p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
INLINE_TAGS = {"strong", "em", "code"}


class Cooked(HTMLParser):
    """The elements of cooked HTML and its visible text."""

    def __init__(self, cooked: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.parts: list[str] = []
        self.feed(cooked)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts).replace(safe_text.WORD_JOINER, "")


def problems(raw: str, allowed: set[str] = BLOCK_TAGS | INLINE_TAGS) -> list[str]:
    """What Discourse would turn into a mention, hashtag, BBCode, link, embed or HTML of its own."""
    cooked = Cooked(COOK.render(raw, {"known_usernames": None}))
    found = [f"comment: {c!r}" for c in cooked.comments if not c.startswith(MARKER_PREFIX[4:])]
    for tag, attrs in cooked.elements:
        if tag == "a" and _OUR_HREF.fullmatch(attrs.get("href") or "") and "class" not in attrs:
            continue
        if tag == "img" and attrs.get("class") == "emoji":
            continue
        if tag == "div" and f"<div {' '.join(f'{k}={v!r}' for k, v in attrs.items())}>".replace(
                "'", '"') == RTL_OPEN:
            continue
        if tag in allowed and not attrs:
            continue
        found.append(f"{tag}: {attrs}")
    return found


def test_the_checker_sees_what_discourse_would_cook() -> None:
    raw = ("hi @bob #cat [quote]x :smile: www.x.com [a](http://x) ![i](y) <b>b</b> a@b.fr\n\n"
           "<div>x</div>\n\n<!-- c -->")

    kinds = {p.split(":")[0] for p in problems(raw)}
    attrs = " ".join(problems(raw))

    assert kinds == {"span", "a", "img", "b", "div", "comment"}
    assert "mention" in attrs and "hashtag-raw" in attrs and "data-bbcode" in attrs
    assert "http://www.x.com" in attrs and "mailto:a@b.fr" in attrs and "http://x" in attrs


@pytest.mark.parametrize("attack", ["\\@bob", "&#64;bob", "&#x40;bob", "\\#cat"])
def test_an_escape_alone_does_not_stop_a_mention_or_a_hashtag(attack: str) -> None:
    assert problems(f"hi {attack}")


@settings(max_examples=300, deadline=None)
@given(USER_TEXT)
def test_quoted_text_reads_as_the_words_written(text: str) -> None:
    raw = f"Titre : {safe_text.quote(text)} fin"

    cooked = Cooked(WORDS.render(raw))

    assert [tag for tag, _ in cooked.elements] == ["p"]
    assert cooked.text.strip() == f"Titre : {safe_text.clean(text) or safe_text.EMPTY} fin"


@settings(max_examples=300, deadline=None)
@given(USER_TEXT)
def test_quoted_text_cannot_mention_link_embed_or_open_html(text: str) -> None:
    raw = f"Titre : {safe_text.quote(text)} fin"

    assert problems(raw, allowed={"p"}) == []


@settings(max_examples=150, deadline=None)
@given(USER_TEXT)
@example("I")  # a BBCode tag's name: Discourse tries the link first (bbcode-inline.js pushes its rule last)
@example("quote")
def test_quoted_text_at_a_line_start_opens_no_block(text: str) -> None:
    quoted = safe_text.quote(text)
    raw = f"Avant\n\n{quoted}\n\n- item {quoted}\n\n[{quoted}](/t/3)"

    tags = [tag for tag, _ in Cooked(WORDS.render(raw)).elements]

    assert tags == ["p", "p", "ul", "li", "p", "a"]
    assert problems(raw, allowed={"p", "ul", "li"}) == []


@settings(max_examples=150, deadline=None)
@given(USER_TEXT)
def test_code_is_one_literal_code_span(text: str) -> None:
    raw = f"Répondez par {safe_text.code(text)} merci"

    children = MD.parse(raw)[1].children or []

    assert [t.type for t in children] == ["text", "code_inline", "text"]
    assert children[1].content == (re.sub("`+", "`", safe_text.clean(text)) or safe_text.EMPTY)
    assert problems(raw, allowed={"p", "code"}) == []


@given(USER_TEXT, st.integers(min_value=1, max_value=300))
def test_clean_text_is_one_line_within_the_limit(text: str, limit: int) -> None:
    cleaned = safe_text.clean(text, limit)

    assert len(cleaned) <= limit
    assert not any(c in cleaned for c in "\n\r\t\x00\u2028\u2029\u0085\u202e\u202d\u2066\u200b\u2060\ufeff")
    assert cleaned == cleaned.strip()


def test_french_accents_and_arabic_read_as_written() -> None:
    assert safe_text.quote("Forage d'un puits à Aït Baha") == "Forage d\\'un puits à Aït Baha"
    assert safe_text.quote("حفر بئر في الدوار") == "حفر بئر في الدوار"
    assert safe_text.clean("e\u0301te\u0301") == "été"
    assert Cooked(COOK.render(safe_text.quote("Forage d'un puits à Aït Baha"))).text == (
        "Forage d'un puits à Aït Baha\n")


def test_a_word_joiner_follows_each_at_and_hash_sign() -> None:
    assert safe_text.quote("@bob #cat") == "\\@\u2060bob \\#\u2060cat"


def test_arabic_joiners_and_direction_marks_are_kept_but_overrides_removed() -> None:
    assert safe_text.clean("\u200fمرحبا\u200d\u202e") == "\u200fمرحبا\u200d"


def test_long_text_is_cut_with_an_ellipsis_without_orphan_accents() -> None:
    assert safe_text.clean("abcde\u0301fgh", limit=5) == "abcd…"
    assert safe_text.clean("x" * 50, limit=10) == "x" * 9 + "…"


def test_backtick_runs_are_squeezed_so_the_code_fence_stays_short() -> None:
    assert safe_text.code("a ```rm``` b") == "`` a `rm` b ``"
    assert safe_text.code("`x") == "`` `x ``"


def test_empty_or_missing_text_becomes_a_dash() -> None:
    assert safe_text.quote(None) == "—"
    assert safe_text.quote(" \n\u200b ") == "—"
    assert safe_text.title(None) == "—"


def test_title_is_one_clean_line() -> None:
    assert safe_text.title("Puits\n  du douar\u202e", limit=200) == "Puits du douar"


def test_plain_escapes_markdown_structure_of_trusted_labels() -> None:
    raw = "- " + safe_text.plain("1. *gras* [lien](/x) <b> _x_ `c`")

    assert [tag for tag, _ in Cooked(COOK.render(raw)).elements] == ["ul", "li"]


@pytest.mark.parametrize("name", ["ahmed", "a.b-c_d", "Fatima_2", "_x"])
def test_valid_usernames_get_a_profile_link_that_reads_as_the_name(name: str) -> None:
    cooked = Cooked(COOK.render(f"x {safe_text.user_link(name)}"))

    assert cooked.elements == [("p", {}), ("a", {"href": f"/u/{name}"})]
    assert cooked.text.strip() == f"x {name}"


@pytest.mark.parametrize("name", ["", "a b", "../admin", "x)", "عمر", "a" * 61, "-x", "x\n", "@x"])
def test_invalid_usernames_are_quoted_without_a_link(name: str) -> None:
    assert "](" not in safe_text.user_link(name)
    assert problems(f"x {safe_text.user_link(name)}", allowed={"p"}) == []


def test_topic_links_are_built_from_positive_integers_only() -> None:
    assert safe_text.topic_link("voir", 12) == "[voir](/t/12)"
    assert safe_text.topic_link("voir", 12, 3) == "[voir](/t/12/3)"
    for bad in (0, -1, True, "12", 1.5):
        with pytest.raises(ValueError):
            safe_text.topic_link("voir", bad)  # type: ignore[arg-type]


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, inline children included, in document order."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def visible(raw: str) -> str:
    """The text a reader sees in a cooked post (tags dropped, entities decoded, joiners removed)."""
    return html.unescape(Cooked(COOK.render(raw)).text)
