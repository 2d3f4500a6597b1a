"""Public endpoints: resolve a place name, and "do you serve this address?"."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from baoxiu.api.schemas import CodeNameOut, error_responses
from baoxiu.areas import resolver
from baoxiu.areas.selectors import service_check

router = Router(tags=["服务区域（公开）"])


class ResolutionOut(Schema):
    input: str
    status: str = Field(..., description="ok / ambiguous / unresolved")
    code: str | None
    level: str | None = Field(None, description="province / city / county / township")
    name: str | None = Field(None, description="含上级的全称")
    point: list[float] | None = Field(None, description="[经度, 纬度]")
    candidates: list[CodeNameOut]
    understood: CodeNameOut | None = Field(None, description="无法完全识别时，已识别的部分")
    note: str = ""


class OutletOut(Schema):
    code: str
    name: str


class ServiceCheckOut(Schema):
    answer: str = Field(..., description="served / not_served / need_detail")
    answer_label: str
    emergency_available: bool = Field(..., description="是否提供30分钟急修")
    response_hours: int | None = Field(None, description="普通工单响应时限（小时）")
    outlets: list[OutletOut]
    resolution: ResolutionOut


def resolution_out(resolution: resolver.Resolution) -> dict:
    data = resolution.to_json()
    return {
        "input": data["input"],
        "status": data["status"],
        "code": data["code"],
        "level": data["level"],
        "name": data["name"],
        "point": list(resolution.point) if resolution.point else None,
        "candidates": data["candidates"],
        "understood": data.get("understood"),
        "note": data.get("note") or "",
    }


@router.get(
    "/areas/resolve",
    response={200: ResolutionOut, **error_responses(422)},
    summary="识别地址所在的行政区划",
)
def areas_resolve_api(request, q: str = Query(..., max_length=200, description="地址或地名")):
    return resolution_out(resolver.resolve(q))


@router.get(
    "/coverage",
    response={200: ServiceCheckOut, **error_responses(422)},
    summary="查询地址是否在服务范围内",
)
def coverage_check_api(
    request, address: str = Query(..., min_length=1, max_length=200, description="地址")
):
    from baoxiu.areas.choices import ServiceAnswer

    check = service_check(address)
    return {
        "answer": check.answer,
        "answer_label": str(ServiceAnswer(check.answer).label),
        "emergency_available": check.emergency_available,
        "response_hours": check.response_hours,
        "outlets": [{"code": o.code, "name": o.name} for o in check.outlets],
        "resolution": resolution_out(check.resolution),
    }
