"""Routes: search (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("search", __name__)
