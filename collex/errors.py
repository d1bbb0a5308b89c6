"""One error family: every error a user can meet carries an HTTP status and a stable code.

Handlers (CLI and HTTP) print ``code`` and ``detail`` and never a stack trace.
"""

from __future__ import annotations


class CollexError(Exception):
    """Base of all expected errors."""

    status: int = 500
    code: str = "internal_error"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "detail": self.detail}


class InvalidInput(CollexError):
    status = 400
    code = "invalid_input"


class QueryRejected(CollexError):
    status = 400
    code = "query_rejected"


class NotFound(CollexError):
    status = 404
    code = "not_found"


class Gone(CollexError):
    status = 410
    code = "gone"


class TooLarge(CollexError):
    status = 413
    code = "too_large"


class QueryTimeout(CollexError):
    status = 503
    code = "query_timeout"


class RetryLater(CollexError):
    """An error that tells the client when to try again (``Retry-After``, seconds)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class Busy(RetryLater):
    """Every query worker stayed busy past the queue wait: retry later."""

    status = 503
    code = "busy"


class StoreUnavailable(CollexError):
    status = 503
    code = "store_unavailable"


class Unauthorized(CollexError):
    status = 401
    code = "unauthorized"


class Forbidden(CollexError):
    status = 403
    code = "forbidden"


class MethodNotAllowed(CollexError):
    status = 405
    code = "method_not_allowed"

    def __init__(self, detail: str, allow: str = "GET, POST") -> None:
        super().__init__(detail)
        self.headers = {"Allow": allow}


class NotAcceptable(CollexError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaType(CollexError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(RetryLater):
    status = 429
    code = "rate_limited"
