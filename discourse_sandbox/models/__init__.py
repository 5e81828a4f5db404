"""Models: one module per area of Discourse, composed into one Backend (models/backend.py).

The areas (users, groups, categories, tags, posts, topics, lists, ...) validate, change the state
and emit events; the rules they share and the seed reuses (posting, changes, group_rules,
category_rules, tag_names, forms, content_limits) are plain functions over the state.
"""
