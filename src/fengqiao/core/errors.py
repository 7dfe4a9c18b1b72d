"""Domain errors. Services raise these; only api/ and web/ turn them into HTTP responses."""


class DomainError(Exception):
    """A refusal with a Chinese message for the user and an English one for integrators."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, message_en: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"detail": self.message, "detail_en": self.message_en, "code": self.code}


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"


class NotPermitted(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class TransitionNotAllowed(DomainError):
    status_code = 409
    code = "transition_not_allowed"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
