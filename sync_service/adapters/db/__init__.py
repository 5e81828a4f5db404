"""SQLAlchemy 2 tables, engine and repositories (which never commit)."""
