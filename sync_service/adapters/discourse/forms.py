"""Reading a post that Discourse's composer wrote from a form template (pure: no I/O).

The composer writes every filled field as a block "### <label or id>" followed by its value, blocks
joined by a blank line, a multi-valued field one value per line (docs/sandbox.md, forms). A textarea's
value may itself hold blank lines, so a block runs until the next "### " heading, not until the
next blank line. Headings inside fenced code are text, not headings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_HEADING = re.compile(r"^ {0,3}###[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_TATWEEL = "\u0640"


@dataclass(frozen=True)
class FormReading:
    """What a post's form blocks say.

    `fields`: field id -> the block's lines, blank lines at either end dropped, blank lines inside
    kept as "" (so "\\n".join(values) gives a textarea's text back; a multi-select has one value a
    line). `unknown`: blocks whose heading matches no field, as (heading, lines). `free_text`: what
    stands before the first heading (all of a post written without the form).
    """

    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: tuple[tuple[str, tuple[str, ...]], ...] = ()
    free_text: str = ""


def heading_key(text: str) -> str:
    """A heading reduced for comparison: no accents, case, tatweel, emphasis or trailing colon."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace(_TATWEEL, "")
    plain = re.sub(r"\s+", " ", plain.translate(_APOSTROPHES).casefold()).strip()
    plain = plain.strip("*_ ").rstrip(":\uff1a").strip()
    return unicodedata.normalize("NFC", plain)


def heading_index(headings: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Every accepted heading (each label and the field id itself), reduced, -> field id."""
    index: dict[str, str] = {}
    for field_id, labels in headings.items():
        for text in (field_id, *labels):
            index.setdefault(heading_key(text), field_id)
    return index


def read_form(raw: str, headings: Mapping[str, Sequence[str]]) -> FormReading:
    """Split a post into form fields (matched through `headings`), unknown blocks and free text."""
    index = heading_index(headings)
    free: list[str] = []
    blocks: list[tuple[str | None, str, list[str]]] = []  # (field id or None, heading, lines)
    current = free
    fence: str | None = None
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        fence, is_fence_line = _fence_state(line, fence)
        heading = None if (fence is not None or is_fence_line) else _HEADING.match(line)
        if heading is not None and heading.group("text").strip():
            text = heading.group("text").strip()
            blocks.append((index.get(heading_key(text)), text, []))
            current = blocks[-1][2]
            continue
        current.append(line.rstrip())
    fields: dict[str, tuple[str, ...]] = {}
    unknown: list[tuple[str, tuple[str, ...]]] = []
    for field_id, text, lines in blocks:
        values = _trimmed(lines)
        if field_id is None:
            unknown.append((text, values))
        elif field_id in fields and values:
            fields[field_id] = (*fields[field_id], *values) if fields[field_id] else values
        else:
            fields.setdefault(field_id, values)
    return FormReading(fields, tuple(unknown), "\n".join(_trimmed(free)))


def _fence_state(line: str, fence: str | None) -> tuple[str | None, bool]:
    """(the open fence after this line, whether the line opens or closes one)."""
    match = _FENCE.match(line)
    if match is None:
        return fence, False
    marker, rest = match.group("fence"), match.group("rest")
    if fence is None:
        if marker[0] == "`" and "`" in rest:
            return None, False  # CommonMark: a backtick fence's info string has no backtick
        return marker, True
    if marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
        return None, True
    return fence, False


def _trimmed(lines: list[str]) -> tuple[str, ...]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return tuple("" if not line.strip() else line for line in lines[start:end])
