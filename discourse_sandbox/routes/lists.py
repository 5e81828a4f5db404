"""Routes: lists (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lists", __name__)
