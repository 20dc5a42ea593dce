"""Domain errors that the web layer turns into 4xx answers."""


class DomainError(Exception):
    """A request the domain refuses; the message is shown to the user."""

    status = 400


class NotFound(DomainError):
    """The object does not exist or is not visible to the requester."""

    status = 404


class Forbidden(DomainError):
    """The requester may not change this object."""

    status = 403


class Invalid(DomainError):
    """The input is invalid; field names the form field when there is one."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    """The change conflicts with existing data (a username taken, a second summary)."""

    status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
