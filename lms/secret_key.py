"""The key that signs sessions: configured, or generated once into the instance folder."""

import os
import pathlib
import secrets

from flask import Flask

FILE_NAME = "secret-key"


def load_or_create(path: pathlib.Path) -> str:
    """The secret kept at `path`, or a new random one written there readable by its owner only."""
    if path.exists():
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # Created with mode 0600 from the start, so the secret is never readable by others, even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def ensure_secret_key(app: Flask) -> None:
    """Give an app without a configured SECRET_KEY one: random per process when testing, else from instance/."""
    if app.config.get("SECRET_KEY"):
        return
    if app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    path = app.config.get("SECRET_KEY_FILE") or pathlib.Path(app.instance_path) / FILE_NAME
    app.config["SECRET_KEY"] = load_or_create(pathlib.Path(path))
