"""Configuration classes for the LMS.

`Config` is the default (embedded SQLite under instance/), `TestConfig` is used by the test suite and
`ProductionConfig` reads its secrets from the environment and refuses to start without them.
"""

import os
import pathlib
import secrets
from datetime import timedelta

BASE_DIR = pathlib.Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Config:
    """Settings for running the LMS on one machine with the embedded SQLite database."""

    # Unset: a random secret is generated into instance/secret-key on first start (lms.secret_key), so no
    # installation ever signs sessions with a secret anyone can read in the repository.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE")  # where the generated secret is kept (instance/secret-key)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection unused this long is checked before a request gets it (lms.db.ping_after_idle).
    DATABASE_PING_AFTER_IDLE_SECONDS = 10.0
    # Refuse a write, lock or SET LOCAL made in autocommit mode (a write without lms.db.begin_write): tests only.
    CHECK_STATEMENTS_IN_TRANSACTION = False
    # Once started, keep the app's long-lived objects out of the garbage collector's full passes (lms.freeze_startup).
    # Not in the test suite, which starts a new app for each test in one process.
    FREEZE_STARTUP_OBJECTS = True
    # The built-in features, registered exactly like third-party plugins.
    LMS_PLUGINS = [
        "lms.main",
        "courses",
        "quizzes",
        "badges",
        "lms.admin",
        "lms.auth",
        "lms.api",
    ]
    # Load plugins that other installed packages declare in the "lms.plugins" entry-point group.
    LMS_LOAD_ENTRY_POINTS = True
    SITE_NAME = "BPO Academy"
    # How passwords are hashed (werkzeug's method string). Only the test suite may use anything but scrypt.
    PASSWORD_HASH_METHOD = "scrypt"
    SQLITE_BUSY_TIMEOUT_MS = 15000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The largest request (a 1 MB GIFT upload and its form) and the largest single form field (the GIFT text box);
    # anything bigger is refused with 413 before it is read.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1_100_000
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a long lesson never loses a form

    # Login attempts per client address; shared storage (e.g. redis://host:6379) when several servers run.
    LOGIN_RATE_LIMIT = "10 per minute"  # sign-in requests per address, in RATELIMIT_STORAGE_URI
    # Failed sign-ins, counted in the database so every app server shares them: per account (a guessing run that
    # rotates addresses) and per address (one that rotates accounts; high enough for a training room).
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    LOGIN_FAILURES_PER_ACCOUNT = 10
    LOGIN_FAILURES_PER_ADDRESS = 50
    PASSWORD_CHANGE_RATE_LIMIT = "10 per minute"
    # Sign-ups per address: a training room behind one router still signs up, a run probing which emails
    # have accounts does not get far.
    SIGNUP_RATE_LIMIT = "60 per hour"  # guesses at the current password from a stolen session
    # A session lasts a working day; signing out or changing the password ends it at once (session generation).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Counted from sign-in, not renewed by every page: a session ends after a working day however busy, and a
    # page that changes nothing in the session sends no new cookie.
    SESSION_REFRESH_EACH_REQUEST = False
    # Requests per personal access token (or, without one, per address) to the API.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # Requests with no token, or an unknown or revoked one, per client address: they never reach a view's own limit,
    # and each costs a lookup (a good token refused a scope or role is not counted).
    API_REFUSED_LIMIT = os.environ.get("API_REFUSED_LIMIT", "60 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # A moving window counts the last minute (or hour) at any moment; a fixed one would reset on the clock's
    # minute and let twice the limit through around it.
    RATELIMIT_STRATEGY = "moving-window"

    # Open Badges: the issuer key may be given as PEM text (shared by all app servers) or is generated
    # into the instance folder on first use.
    BADGE_SIGNING_KEY_PEM = os.environ.get("BADGE_SIGNING_KEY_PEM")
    BADGE_SIGNING_KEY_FILE = os.environ.get("BADGE_SIGNING_KEY_FILE")
    # Rotation: the keys signed with before (PEM, public or private, one after another) stay published, so the
    # credentials they signed keep verifying while new ones are signed with the current key.
    BADGE_PREVIOUS_KEYS_PEM = os.environ.get("BADGE_PREVIOUS_KEYS_PEM")
    # The Ed25519 key of the credentials' Data Integrity proofs (eddsa-rdfc-2022), given or generated like the above.
    BADGE_PROOF_KEY_PEM = os.environ.get("BADGE_PROOF_KEY_PEM")
    BADGE_PROOF_KEY_FILE = os.environ.get("BADGE_PROOF_KEY_FILE")
    BADGE_ISSUER_NAME = "BPO Academy"
    BADGE_ISSUER_EMAIL = os.environ.get("BADGE_ISSUER_EMAIL", "badges@bpo-academy.example")
    # The `typ` of the credentials' JWT header: "JWT", as OB 3.0 requires, or "vc+jwt", as VC-JOSE-COSE suggests.
    BADGE_JWT_TYPE = os.environ.get("BADGE_JWT_TYPE", "JWT")
    # The public address badges point at; defaults to the address of the request that builds them.
    # The public address every absolute link (badge documents, credentials) is built from; never the request's
    # Host header, which a client chooses. `make run` serves here.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Mail (Flask-Mailman): through SMTP when MAIL_SERVER is set, else written to files under instance/outbox,
    # so `make run` needs no mail server (the README names the folder).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if os.environ.get("MAIL_SERVER") else "file")
    MAIL_FILE_PATH = str(INSTANCE_DIR / "outbox")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "BPO Academy <no-reply@bpo-academy.example>")
    MAIL_TIMEOUT = 10  # seconds; a mail server that hangs must not hold a worker
    # Requests for a password-reset link per address: enough for a forgetful training room, not for a run that
    # floods people's inboxes.
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"
    # How many reverse proxies (load balancers) sit in front of the app and set X-Forwarded-* headers;
    # without this, every client would share the proxy's address and its login rate limit.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class TestConfig(Config):
    """Settings for the test suite: a throwaway database given by the test fixtures."""

    TESTING = True
    CHECK_STATEMENTS_IN_TRANSACTION = True
    FREEZE_STARTUP_OBJECTS = False
    SECRET_KEY = secrets.token_hex(32)  # new for every test run
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    LOGIN_RATE_LIMIT = "5 per minute"
    API_RATE_LIMIT = "100000 per minute"  # the contract tests send thousands of requests; one test sets a low one
    API_REFUSED_LIMIT = "100000 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    LMS_LOAD_ENTRY_POINTS = False
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host
    # One cheap round instead of scrypt's deliberate cost: the suite signs people up and in hundreds of times.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    SQLITE_BUSY_TIMEOUT_MS = 30000
    MAIL_BACKEND = "locmem"  # kept in memory; the mail tests point it at a real SMTP server of their own


class ProductionConfig(Config):
    """Settings for production: everything secret or site-specific comes from the environment."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 365 * 24 * 3600  # browsers then refuse plain HTTP to this site for a year
    PREFERRED_URL_SCHEME = "https"

    def __init__(self):
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        url = os.environ.get("DATABASE_URL", "")
        if not url:
            raise RuntimeError("DATABASE_URL must be set in production, e.g. postgresql+psycopg://user@host/lms")
        base = os.environ.get("PUBLIC_BASE_URL", "")
        if not base.startswith("https://"):
            raise RuntimeError("PUBLIC_BASE_URL must be set in production to the site's https:// address")
        self.SECRET_KEY = secret
        self.PUBLIC_BASE_URL = base
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")  # a production site sends its mail
        self.SQLALCHEMY_DATABASE_URI = url
