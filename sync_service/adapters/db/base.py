"""The declarative base of every table: one MetaData with named constraints and indexes."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A forum id (user, topic, post): Discourse's ids are 64-bit. SQLite's INTEGER already is.
ForumId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base bound to the shared, convention-named metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
