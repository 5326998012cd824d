"""The app factory and configuration."""

import pytest

from lms import create_app


def test_default_config_uses_embedded_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import importlib

    import config

    importlib.reload(config)
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/lms.sqlite3")


def test_create_app_does_no_io(tmp_path):
    # Pointing at a database file that does not exist must not create it: no I/O in the factory.
    db_file = tmp_path / "never-created.sqlite3"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "TESTING": True})
    assert not db_file.exists()


@pytest.mark.parametrize("secret", [None, "", "dev-only-secret-change-me", "short"])
def test_production_refuses_missing_or_default_secret(monkeypatch, secret):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_reads_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "x" * 48
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_requires_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_hashes_passwords_with_scrypt(monkeypatch):
    from lms.auth.passwords import hash_password

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1/none")
    with create_app("production").app_context():
        assert hash_password("a long passphrase").startswith("scrypt:")


def test_the_cheap_test_hashing_is_refused_outside_the_test_suite():
    with pytest.raises(RuntimeError, match="test suite only"):
        create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    assert create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1", "TESTING": True}).testing
