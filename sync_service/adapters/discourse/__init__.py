"""The Discourse adapter: the only place that knows Discourse's words (topic, post, user_field, web hook)."""
