"""Routes: topics (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("topics", __name__)
