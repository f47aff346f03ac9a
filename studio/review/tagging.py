"""Free tags on items: the team's own words (another team's never show), set on one
item or added to a selection, each change one action.

Own models rather than django-taggit: taggit's tags are global rows (one name, one
slug across every team) and its manager must be declared on the tagged model, which
lives in generations, below this app; team-scoped tag rows keep suggestions and
filters within the team through `for_team` like every other list.
"""

from django.core.exceptions import PermissionDenied

from studio.generations import live
from studio.generations.models import Generation
from studio.lib.outcome import Done, refused
from studio.review.models import ItemTag, Tag
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Team

TAG_LIMIT = 50
TAGS_PER_ITEM = 20
MAX_TAGGED = 200


def normalised(text: str) -> list[str]:
    """Tags as typed, comma-separated: trimmed, spaces collapsed, lower case, once."""
    words = (" ".join(part.split()).lower() for part in text.split(","))
    return list(dict.fromkeys(word for word in words if word))


def problem_with(tags: list[str]) -> str:
    long = [tag for tag in tags if len(tag) > TAG_LIMIT]
    if long:
        return f"A tag is at most {TAG_LIMIT} characters: “{long[0][:60]}…” is longer."
    if len(tags) > TAGS_PER_ITEM:
        return f"An item takes at most {TAGS_PER_ITEM} tags; this is {len(tags)}."
    return ""


def check_may_tag(member: Membership) -> None:
    if not member.can_review:
        raise PermissionDenied("Members tag items; an admin can let viewers give feedback "
                               "too, in Team settings.")


def team_tags(team: Team) -> list[str]:
    """The team's tags in use, for suggestions."""
    return list(Tag.objects.for_team(team).filter(items__isnull=False).distinct()
                .order_by("name").values_list("name", flat=True))


def tags_of(generation: Generation) -> list[str]:
    return list(ItemTag.objects.for_team(generation.team_id).filter(generation=generation)
                .order_by("tag__name").values_list("tag__name", flat=True))


def rows_for(team: Team, names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(team=team, name=name)[0] for name in names]


def set_tags(member: Membership, generation: Generation, text: str) -> Done:
    """The item's tags become exactly these. `result`: its tags now."""
    check_may_tag(member)
    names = normalised(text)
    if problem := problem_with(names):
        return refused(problem, "invalid")
    before = tags_of(generation)
    if set(names) == set(before):
        return Done(True, "The tags are unchanged.", result=before)
    ItemTag.objects.filter(generation=generation).exclude(tag__name__in=names).delete()
    for tag in rows_for(member.team, names):
        ItemTag.objects.get_or_create(tag=tag, generation=generation)
    now = tags_of(generation)
    audit.record(member.team, member.user, AuditEvent.Action.TAGS_CHANGED,
                 f"Tagged #{generation.pk} " + (", ".join(now) or "with nothing"),
                 generation=generation.pk, tags=now)
    live.card_changed(generation)
    return Done(True, "Tags saved." if now else "Tags removed.", result=now)


def add_tags(member: Membership, generations: list[Generation], text: str) -> Done:
    """These tags added to every item of a selection (their other tags stay)."""
    check_may_tag(member)
    names = normalised(text)
    if not names:
        return refused("Type a tag to add first.", "invalid")
    if problem := problem_with(names):
        return refused(problem, "invalid")
    if not generations or len(generations) > MAX_TAGGED:
        return refused(f"Select 1 to {MAX_TAGGED} items to tag.", "invalid")
    tags = rows_for(member.team, names)
    ItemTag.objects.bulk_create([ItemTag(tag=tag, generation=g) for g in generations
                                 for tag in tags], ignore_conflicts=True)
    ids = [g.pk for g in generations]
    audit.record(member.team, member.user, AuditEvent.Action.TAGS_CHANGED,
                 f"Tagged {len(ids)} items " + ", ".join(names), generations=ids, tags=names)
    for generation in generations:
        live.card_changed(generation)
    return Done(True, f"Tagged {len(ids)} item{'s' if len(ids) != 1 else ''} "
                      + ", ".join(names) + ".", result=ids)
