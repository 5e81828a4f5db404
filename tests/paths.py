"""Where the tests find the checkout's files, whatever folder a test sits in."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"
SAMPLE_COMMUNITY = CONFIG / "examples" / "communaute.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "discourse"
