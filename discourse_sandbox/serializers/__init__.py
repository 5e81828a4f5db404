"""Serializers: the JSON shapes of Discourse's serializers, read from records, for routes and webhooks."""
