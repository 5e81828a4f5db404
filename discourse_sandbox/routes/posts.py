"""Routes: posts (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("posts", __name__)
