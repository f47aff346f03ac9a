"""The parts of a finished mix, sequence or film as one zip, with a manifest.csv
saying what each file is (the gallery selection's zip, for what an item was made of)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from studio.generations import reach, selection
from studio.generations.models import Generation, Status


def parts_of(generation: Generation) -> list[Generation]:
    """The finished items of the gallery it was made of, in its order, each once (an
    item in the trash or gone is left out)."""
    ids = list(dict.fromkeys(generation.made_from))
    found = {g.pk: g for g in Generation.objects.for_team(generation.team_id).in_gallery()
             .filter(pk__in=ids, status=Status.SUCCEEDED).exclude(media="")
             .select_related("author")}
    return [found[pk] for pk in ids if pk in found]


@login_required
@require_GET
def parts_zip(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reach.within_reach_or_404(request, Generation.objects.all(), pk)
    items = parts_of(generation) if generation.kind_spec.local else []
    if not items:
        raise Http404("This item has no parts left in the gallery to download.")
    response = StreamingHttpResponse(
        selection.zip_stream(items, selection.manifest(items)),
        content_type="application/zip")
    response["Content-Disposition"] = (f'attachment; filename="{generation.file_stem}'
                                       '-parts.zip"')
    return response
