"""Notes at a moment: the team's comments, which may point at a time or range of a
clip or a point of a picture (studio.generations.moments), and may mention members.

A note is made by studio.generations.actions.comment (a member) or through an
outside link (studio.review.share.leave_note); either way `moments.note_made` is sent
and this module stores the mentions and says who is to hear of it.
"""

import re

from studio.generations.models import Comment
from studio.generations.moments import note_made
from studio.review.models import NotificationKind
from studio.review.notifications import notify
from studio.teams.models import Membership

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def connect() -> None:
    note_made.connect(on_note, sender=Comment, dispatch_uid="studio.review.notes")


def team_usernames(team) -> list[str]:
    """Who can be mentioned: the team's members, by name (suggested as one types)."""
    return sorted(Membership.objects.for_team(team)
                  .values_list("user__username", flat=True))


def mentioned_users(team, text: str) -> list:
    names = {name.rstrip(".").casefold() for name in MENTION.findall(text)}
    if not names:
        return []
    members = Membership.objects.for_team(team).select_related("user")
    return [member.user for member in members if member.user.username.casefold() in names]


def on_note(sender, comment: Comment, **_) -> None:
    generation = comment.generation
    mentioned = [user for user in mentioned_users(generation.team, comment.text)
                 if user.pk != comment.author_id]
    comment.mentions.set(mentioned)
    for user in mentioned:
        notify_mention(membership_of(generation.team, user), comment)
    author = generation.author_id and membership_of(generation.team, generation.author)
    if author and generation.author_id != comment.author_id:
        if comment.from_outside:
            notify_outside_note(author, comment)
        else:
            notify_note(author, comment)


def membership_of(team, user) -> Membership | None:
    return Membership.objects.for_team(team).filter(user=user).first()


def about(comment: Comment) -> tuple[str, str]:
    """The words and the link a notification of `comment` would carry."""
    who = (f"{comment.outside_name} (from outside)" if comment.from_outside
           else comment.author.username if comment.author else "someone")
    name = f"{comment.generation.kind_spec.label} #{comment.generation_id}"
    return (f"{who} on {name}: {comment.text[:120]}",
            f"/generations/{comment.generation_id}/#comment-{comment.pk}")


def notify_mention(member: Membership | None, comment: Comment) -> None:
    if member is not None:
        tell(member, NotificationKind.MENTION, comment)


def notify_note(author: Membership, comment: Comment) -> None:
    tell(author, NotificationKind.NOTE, comment)


def notify_outside_note(author: Membership, comment: Comment) -> None:
    tell(author, NotificationKind.OUTSIDE_NOTE, comment)


def tell(member: Membership, kind: str, comment: Comment) -> None:
    text, url = about(comment)
    notify(member, kind, text, url, actor=comment.author, key=f"{kind}:{comment.pk}")
