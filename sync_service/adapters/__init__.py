"""Implementations of the ports: the database and the Discourse gateway."""
