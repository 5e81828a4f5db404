"""User text quoted by codev stays inert once Discourse cooks it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sync_service.domain import safe_text
from sync_service.domain.posts import MARKER_PREFIX, RTL_CLOSE, RTL_OPEN

# Discourse cooks with markdown-it, HTML allowed (then sanitised), hard breaks on single newlines.
MD = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])

# Snippets of every syntax Discourse gives meaning to, plus scripts and invisible characters.
SNIPPETS = [
    "@bob", "@here", "@all", "@experts", "\\@x", "&#64;x", "&#x40;y", "(@z)", "mail@x.ma",
    "[quote]", "[/quote]", '[quote="bob, post:1, topic:2"]', "[details=a]", "[/details]", "[poll]",
    "[date=2026-01-01]", "[spoiler]", "[wrap=x]", "<b>", "<script>alert(1)</script>", "<!--", "-->",
    '<div dir="rtl">', "</div>", "<img src=x>", "http://evil.example/p", "https://x.y", "www.x.com",
    "evil.com", "<https://x.y>", "[a](http://x)", "![i](http://x/i.png)", "[r]: http://x", "#cat",
    "#tag:x", ":smile:", ":)", "`", "``", "```", "````js", "~~~", "\n", "\r\n", "\r", "\n\n", "# ", "## ",
    "> ", "- ", "* ", "1. ", "    ", "\t", "---", "===", "| a | b |", "*x*", "_y_", "~~z~~", "\\",
    "&amp;", "&lt;b&gt;", "{count}", "{{", "}}", "\u202e", "\u202d", "\u2066", "\u200b", "\u200f",
    "\u200d", "\u2028", "\u2029", "\u0085", "\x00", "\x1b[31m", "\ufeff", "مرحبا بكم في الدوار",
    "\u0627\u0644\u0645\u0627\u0621", "ingénieur hydraulicien", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "🙂", "e\u0301",
]
USER_TEXT = st.lists(
    st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=6)), max_size=12
).map("".join)

_MENTION = re.compile(r"(?<![\w])@\w")
_HASHTAG = re.compile(r"(?<![\w&])#[\w-]")
_BBCODE = re.compile(r"\[/?[A-Za-z*][\w-]*(?:[= ][^\]]*)?\]")
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_URL = re.compile(r"(?i)(?:https?://|ftp://|www\.|mailto:|\b[\w-]+\.(?:com|org|net|ma|fr|io|example)\b)")
_OUR_HREF = re.compile(r"/t/\d+(?:/\d+)?|/u/[A-Za-z0-9_][A-Za-z0-9_.-]*")


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, inline children included, in document order."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def discourse_syntax(raw: str) -> list[str]:
    """What Discourse would turn into a mention, hashtag, BBCode, emoji, link, image or HTML."""
    problems: list[str] = []
    allowed_blocks = {RTL_OPEN, RTL_CLOSE}
    for token in walk(MD.parse(raw)):
        if token.type == "text":
            for name, pattern in (("mention", _MENTION), ("hashtag", _HASHTAG), ("bbcode", _BBCODE),
                                  ("emoji", _EMOJI), ("url", _URL)):
                problems += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(token.content)]
        elif token.type == "link_open":
            if not _OUR_HREF.fullmatch(str(token.attrGet("href"))):
                problems.append(f"link: {token.attrGet('href')!r}")
        elif token.type in ("image", "html_inline", "fence", "code_block"):
            problems.append(f"{token.type}: {token.content!r}")
        elif token.type == "html_block":
            content = token.content.strip()
            if content not in allowed_blocks and not (
                content.startswith(MARKER_PREFIX) and content.count("-->") == 1 and content.endswith("-->")
            ):
                problems.append(f"html_block: {content!r}")
    return problems


def test_the_checker_sees_what_discourse_would_cook() -> None:
    raw = "hi @bob #cat [quote]x :smile: www.x.com [a](http://x) ![i](y) <b>b</b>\n\n<div>x</div>"

    found = {p.split(":")[0] for p in discourse_syntax(raw)}

    assert found == {"mention", "hashtag", "bbcode", "emoji", "url", "link", "image", "html_inline",
                     "html_block"}


@pytest.mark.parametrize("attack", ["\\@bob", "&#64;bob", "&#x40;bob"])
def test_escaped_mentions_still_mention_outside_a_code_span(attack: str) -> None:
    assert discourse_syntax(f"hi {attack}")


@settings(max_examples=150, deadline=None)
@given(USER_TEXT)
def test_quoted_text_is_one_literal_code_span(text: str) -> None:
    raw = f"Titre : {safe_text.quote(text)} fin"

    tokens = MD.parse(raw)
    children = tokens[1].children or []

    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert [t.type for t in children] == ["text", "code_inline", "text"]
    assert children[1].content == (re.sub("`+", "`", safe_text.clean(text)) or safe_text.EMPTY)
    assert discourse_syntax(raw) == []


@settings(max_examples=150, deadline=None)
@given(USER_TEXT)
def test_quoted_text_at_a_line_start_opens_no_block(text: str) -> None:
    raw = f"Avant\n\n{safe_text.quote(text)}\n\n- item {safe_text.quote(text)}"

    types = [t.type for t in MD.parse(raw)]

    assert types == ["paragraph_open", "inline", "paragraph_close", "paragraph_open", "inline",
                     "paragraph_close", "bullet_list_open", "list_item_open", "paragraph_open", "inline",
                     "paragraph_close", "list_item_close", "bullet_list_close"]
    assert discourse_syntax(raw) == []


@given(USER_TEXT, st.integers(min_value=1, max_value=300))
def test_clean_text_is_one_line_within_the_limit(text: str, limit: int) -> None:
    cleaned = safe_text.clean(text, limit)

    assert len(cleaned) <= limit
    assert not any(c in cleaned for c in "\n\r\t\x00\u2028\u2029\u0085\u202e\u202d\u2066\u200b\ufeff")
    assert cleaned == cleaned.strip()


def test_french_accents_and_arabic_stay_readable() -> None:
    assert safe_text.quote("Forage d'un puits à Aït Baha") == "` Forage d'un puits à Aït Baha `"
    assert safe_text.quote("حفر بئر في الدوار") == "` حفر بئر في الدوار `"
    assert safe_text.clean("e\u0301te\u0301") == "été"


def test_arabic_joiners_and_direction_marks_are_kept_but_overrides_removed() -> None:
    assert safe_text.clean("\u200fمرحبا\u200d\u202e") == "\u200fمرحبا\u200d"


def test_long_text_is_cut_with_an_ellipsis_without_orphan_accents() -> None:
    assert safe_text.clean("abcde\u0301fgh", limit=5) == "abcd…"
    assert safe_text.clean("x" * 50, limit=10) == "x" * 9 + "…"


def test_backtick_runs_are_squeezed_so_the_fence_stays_short() -> None:
    assert safe_text.quote("a ```rm``` b") == "`` a `rm` b ``"
    assert safe_text.quote("`x") == "`` `x ``"


def test_empty_or_missing_text_becomes_a_dash() -> None:
    assert safe_text.quote(None) == "` — `"
    assert safe_text.quote(" \n\u200b ") == "` — `"
    assert safe_text.title(None) == "—"


def test_title_is_one_clean_line() -> None:
    assert safe_text.title("Puits\n  du douar\u202e", limit=200) == "Puits du douar"


def test_plain_escapes_markdown_structure_of_trusted_labels() -> None:
    raw = "- " + safe_text.plain("1. *gras* [lien](/x) <b> _x_ `c`")

    types = [t.type for t in walk(MD.parse(raw))]

    assert not {"ordered_list_open", "em_open", "link_open", "html_inline", "code_inline"} & set(types)


@pytest.mark.parametrize("name", ["ahmed", "a.b-c_d", "Fatima_2", "_x"])
def test_valid_usernames_get_a_profile_link(name: str) -> None:
    assert safe_text.user_link(name) == f"[` {name} `](/u/{name})"


@pytest.mark.parametrize("name", ["", "a b", "../admin", "x)", "عمر", "a" * 61, "-x", "x\n"])
def test_invalid_usernames_are_quoted_without_a_link(name: str) -> None:
    assert "](" not in safe_text.user_link(name)
    assert discourse_syntax(f"x {safe_text.user_link(name)}") == []


def test_topic_links_are_built_from_positive_integers_only() -> None:
    assert safe_text.topic_link("voir", 12) == "[voir](/t/12)"
    assert safe_text.topic_link("voir", 12, 3) == "[voir](/t/12/3)"
    for bad in (0, -1, True, "12", 1.5):
        with pytest.raises(ValueError):
            safe_text.topic_link("voir", bad)  # type: ignore[arg-type]
