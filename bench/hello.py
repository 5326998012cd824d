"""The yardstick: a hello-world Flask app, served by the same gunicorn configuration as the LMS."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """The cheapest page Flask can serve."""
    return "Hello, World!"
