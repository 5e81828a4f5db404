"""The welcome topics: a guide file's language sections, each one pinned topic (pure: no I/O).

A section starts at a marker `<!-- welcome: LOCALE -->` (optionally `, category: SLUG`) and runs to the
next marker; its first `# ` line is the title, the rest the topic's text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DEFAULT_CATEGORY = "pratiques"
_MARKER = re.compile(r"^<!--\s*welcome:\s*(?P<locale>[a-z]{2})\s*"
                     r"(?:,\s*category:\s*(?P<category>[a-z0-9-]+)\s*)?-->\s*$", re.MULTILINE)


class WelcomeError(ValueError):
    """A guide file whose sections cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class WelcomeText:
    """One welcome topic: which guide, in which language, where, its title and text."""

    guide: str
    locale: str
    category: str
    title: str
    raw: str

    @property
    def key(self) -> str:
        """The intent key of the topic: stable, whatever the text becomes."""
        return f"welcome:{self.guide}:{self.locale}"

    @property
    def revision(self) -> str:
        """A short digest of the title and text: the same text gives the same edit key."""
        return hashlib.sha256(f"{self.title}\n{self.raw}".encode()).hexdigest()[:12]


def welcome_texts(guide: str, text: str, source: str) -> list[WelcomeText]:
    """The language sections of one guide file (`source` names it in errors)."""
    markers = list(_MARKER.finditer(text))
    if not markers:
        raise WelcomeError(f"{source}: no section marker <!-- welcome: fr --> found")
    texts: list[WelcomeText] = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        body = text[marker.end():end].strip("\n")
        line = text.count("\n", 0, marker.start()) + 1
        first, _, rest = body.lstrip("\n").partition("\n")
        if not first.startswith("# ") or not rest.strip():
            raise WelcomeError(f"{source}: line {line}: a section is a '# title' line, then its text")
        if any(t.locale == marker["locale"] for t in texts):
            raise WelcomeError(f"{source}: line {line}: a second section in {marker['locale']}")
        texts.append(WelcomeText(guide, marker["locale"], marker["category"] or DEFAULT_CATEGORY,
                                 first[2:].strip(), rest.strip() + "\n"))
    return texts
