"""Routes: categories (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("categories", __name__)
