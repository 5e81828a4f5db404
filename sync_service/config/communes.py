"""The HCP list of communes (config/communes.csv): slug -> Commune, each row checked."""

from __future__ import annotations

import csv
from pathlib import Path

from sync_service.config.errors import ConfigError
from sync_service.domain.needs import Commune

COLUMNS = ("code", "slug", "name_fr", "name_ar", "province_code")


def load_communes(path: Path) -> dict[str, Commune]:
    """Communes by slug; a missing column, an empty cell or a repeated slug names the file and row."""
    source = str(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ConfigError(source, "(header)", list(reader.fieldnames or ()),
                                  f"the HCP communes CSV with columns {', '.join(COLUMNS)}")
            communes: dict[str, Commune] = {}
            for line, row in enumerate(reader, start=2):
                for column in COLUMNS:
                    if not (row.get(column) or "").strip():
                        raise ConfigError(source, f"line {line}, column {column}", row.get(column),
                                          "a value")
                slug = row["slug"].strip()
                if slug in communes:
                    raise ConfigError(source, f"line {line}, column slug", slug, "a slug not used before")
                communes[slug] = Commune(row["code"].strip(), slug, row["name_fr"].strip(),
                                         row["province_code"].strip(), row["name_ar"].strip())
    except UnicodeDecodeError as exc:
        raise ConfigError(source, "(file)", "bytes that are not UTF-8", "UTF-8 text") from exc
    except OSError as exc:
        raise ConfigError(source, "(file)", type(exc).__name__, "a readable CSV file") from exc
    return communes
