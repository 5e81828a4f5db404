"""Models: one module per area of Discourse, composed into one Backend (models/backend.py)."""
