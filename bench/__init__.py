"""Benchmarks of the LMS against a real gunicorn server (not part of the test run)."""
