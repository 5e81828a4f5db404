"""Ports: what the use cases need from the world, in codev's words. One module per what sits behind:
the forum (Discourse), the storage (the database), the matching engine."""
