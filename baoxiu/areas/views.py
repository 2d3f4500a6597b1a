"""Operations pages for divisions and coverage."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baoxiu.accounts.permissions import permission_required
from baoxiu.areas.forms import CoverageImportForm
from baoxiu.areas.models import Division
from baoxiu.areas.selectors import coverage_report, division_children
from baoxiu.areas.services import coverage_import, coverage_preview
from baoxiu.core.errors import DomainError


@permission_required("areas.browse")
def division_browse(request, code=None):
    current = None
    if code:
        current = Division.objects.filter(code=code).select_related("parent").first()
        if current is None:
            raise Http404(_("没有这个行政区划。"))
    trail = []
    node = current
    while node is not None:
        trail.insert(0, node)
        node = node.parent
    context = {"current": current, "trail": trail, "children": division_children(code)}
    return render(request, "areas/browse.html", context)


@permission_required("coverage.view")
def coverage_overview(request):
    rows = list(coverage_report())
    uncovered = [row for row in rows if row.technician_count == 0]
    context = {"rows": rows, "uncovered": uncovered}
    return render(request, "areas/coverage.html", context)


@permission_required("coverage.import")
def coverage_import_page(request):
    form = CoverageImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("step") == "save":
                record = coverage_import(
                    outlet=data["outlet"],
                    text=data["text"],
                    choices=form.choices_from(request.POST),
                    emergency_available=data["emergency_available"],
                    response_hours=data["response_hours"],
                    actor=request.user,
                    source=data["upload"].name if data.get("upload") else _("粘贴"),
                )
                messages.success(
                    request,
                    _("已保存 %(saved)d 行，未保存 %(skipped)d 行。")
                    % {"saved": record.lines_saved, "skipped": len(record.skipped)},
                )
                return redirect("areas:coverage_import_result", pk=record.pk)
            preview = coverage_preview(text=data["text"])
        except DomainError as exc:
            form.add_error(None, exc.message)
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "preview": preview}
    if preview is not None:
        context["counts"] = {
            status: sum(1 for line in preview if line.resolution.status == status)
            for status in ("ok", "ambiguous", "unresolved")
        }
    return render(request, "areas/coverage_import.html", context, status=status)


@permission_required("coverage.import")
def coverage_import_result(request, pk):
    from baoxiu.areas.models import CoverageImport

    record = CoverageImport.objects.select_related("outlet", "created_by").filter(pk=pk).first()
    if record is None:
        raise Http404
    return render(request, "areas/coverage_import_result.html", {"record": record})
