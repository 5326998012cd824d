"""Verifiable completion badges: Open Badges 2.0 documents, Open Badges 3.0 credentials, signing, baking and artwork."""
