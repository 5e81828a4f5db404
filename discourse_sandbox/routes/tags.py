"""Routes: tags (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tags", __name__)
