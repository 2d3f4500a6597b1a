"""Schemas shared by every app's endpoints: the error body, paging, catalogue refs."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

MAX_PAGE_SIZE = 100
# Larger numbers overflow the databases' 64-bit integers (a 500, not an answer).
MAX_ID = 2**63 - 1
MAX_OFFSET = 2**31 - 1


class ErrorOut(Schema):
    code: str = Field(..., description="机器可读的错误代码，如 validation_error、not_found")
    message: str = Field(..., description="可展示给用户的中文说明")
    details: Any = Field(None, description="补充信息，如出错的字段及原因")


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The ``response=`` entries documenting an operation's error statuses."""
    return {status: ErrorOut for status in statuses}


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="每页条数，最多100")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class CodeNameOut(Schema):
    code: str
    name: str
