"""What every service shares: the error a service raises for input it refuses."""


class ServiceError(ValueError):
    """A domain rule refused the request; the message is meant for the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
