"""What the engine knows of an expert and of a need (every field but id may be missing)."""

from __future__ import annotations

from dataclasses import dataclass

RecordId = str | int

EXPERT_MODES = ("remote", "on_site", "mentoring", "funding_network")
NEED_MODES = ("remote", "on_site", "any")


@dataclass(frozen=True)
class Expert:
    """A migrant expert's profile as matching sees it."""

    id: RecordId
    name: str | None = None
    country: str | None = None
    city: str | None = None
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    availability_hours_per_month: float | None = None
    origin_province: str | None = None
    bio: str | None = None
    open_introductions: int = 0


@dataclass(frozen=True)
class Need:
    """A commune's need as matching sees it."""

    id: RecordId
    commune: str | None = None
    province: str | None = None
    title: str | None = None
    body: str | None = None
    sector: str | None = None
    kind: str | None = None
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    mode: str | None = None
    deadline: str | None = None
