"""Routes: users (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users", __name__)
