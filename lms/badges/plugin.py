"""Completion badges (Open Badges 2.0 and 3.0)."""
