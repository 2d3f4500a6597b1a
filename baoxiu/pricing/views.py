"""The public price board and the operations pages for price-list versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baoxiu.accounts.permissions import permission_required
from baoxiu.areas import resolver
from baoxiu.core.errors import DomainError
from baoxiu.pricing.calculator import version_in_force
from baoxiu.pricing.forms import DraftForm, PriceBoardForm, PriceItemForm, PublishForm
from baoxiu.pricing.selectors import price_board, price_list_versions
from baoxiu.pricing.services import (
    price_item_remove,
    price_item_set,
    price_list_draft_create,
    price_list_publish,
)


def board(request):
    """Prices in force, nationally or for the city/district the visitor names."""
    form = PriceBoardForm(request.GET or None)
    division_code, note = "", ""
    if form.is_valid() and form.cleaned_data["area"]:
        place = resolver.resolve(form.cleaned_data["area"])
        if place.status == "ok":
            division_code = place.code
        else:
            note = _("未能识别该地区，下面显示全国统一价。")
    context = {"form": form, "board": price_board(division_code=division_code), "note": note}
    return render(request, "pricing/board.html", context)


@permission_required("pricing.view")
def versions(request):
    context = {
        "versions": price_list_versions(),
        "in_force": version_in_force(),
        "draft_form": DraftForm(),
        "publish_form": PublishForm(),
    }
    return render(request, "pricing/versions.html", context)


def _version(number):
    version = price_list_versions().filter(number=number).first()
    if version is None:
        raise Http404
    return version


@permission_required("pricing.view")
def version_detail(request, number):
    """One version's prices; on a draft, POST adds or changes one price."""
    version = _version(number)
    form = PriceItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                price_item_set(
                    version=version,
                    kind=data["kind"],
                    key=data["key"],
                    name=data["name"],
                    amount=data["amount"],
                    division_code=data["division_code"],
                    free_km=data["free_km"],
                    lock_model_code=data["lock_model"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("价目已保存。"))
                return redirect("pricing:version_detail", number=number)
        status = 400
    items = version.items.select_related("fault_type", "lock_model").order_by(
        "kind", "sort_order", "key", "division_code"
    )
    context = {"version": version, "items": items, "form": form}
    return render(request, "pricing/version_detail.html", context, status=status)


@require_POST
@permission_required("pricing.edit")
def item_remove(request, number, item_id):
    try:
        price_item_remove(version=_version(number), item_id=item_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("pricing:version_detail", number=number)


@require_POST
@permission_required("pricing.edit")
def draft_create(request):
    form = DraftForm(request.POST)
    if form.is_valid():
        try:
            draft = price_list_draft_create(
                title=form.cleaned_data["title"], copy_from=version_in_force()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已创建草稿 V%(n)d（复制自当前生效版本），请修改价目后发布。")
                % {"n": draft.number},
            )
    else:
        messages.error(request, _("请填写版本名称。"))
    return redirect("pricing:versions")


@require_POST
@permission_required("pricing.publish")
def publish(request, number):
    version = _version(number)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("生效时间格式不正确。"))
        return redirect("pricing:versions")
    try:
        price_list_publish(
            version=version,
            effective_from=form.cleaned_data["effective_from"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("V%(n)d 已发布。") % {"n": version.number})
    return redirect("pricing:versions")
