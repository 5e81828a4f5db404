"""Routes: user_fields (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("user_fields", __name__)
