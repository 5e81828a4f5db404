"""Shared fixtures: the real taxonomy and weights from config/, the embedding model loaded once."""

from __future__ import annotations

import pytest

from sync_service.config.locales import load_translator
from sync_service.config.matching import load_matching_settings, load_taxonomy
from sync_service.domain.i18n import Translator
from sync_service.domain.matching.settings import MatchingSettings
from sync_service.domain.matching.taxonomy import Recognizer, Taxonomy
from tests import paths

ROOT = paths.ROOT


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(ROOT / "config" / "taxonomy.yaml")


@pytest.fixture(scope="session")
def settings() -> MatchingSettings:
    return load_matching_settings(ROOT / "config" / "matching.yaml")


@pytest.fixture(scope="session")
def translator() -> Translator:
    return load_translator(ROOT / "config" / "locales")


@pytest.fixture(scope="session")
def recognizer(taxonomy: Taxonomy) -> Recognizer:
    return Recognizer(taxonomy)


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from sync_service.adapters.embedding import default_embedder

    return default_embedder()
