"""Errors in the shape Databricks answers them, so the SDK raises the right exception class."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message

    def body(self) -> dict[str, str]:
        # Some Databricks answers carry no error_code at all (a workspace import over a notebook).
        if not self.error_code:
            return {"message": self.message}
        return {"error_code": self.error_code, "message": self.message}


def invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)
