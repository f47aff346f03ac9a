import hashlib

from django.conf import settings
from django.db import models

from studio.lib.team_scope import TeamQuerySet
from studio.teams import crypto


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class UrlSource(models.TextChoices):
    """Who gave a team's API URL: the operator's word is trusted, a member's is checked."""

    OPERATOR = "operator", "The operator (environment or a management command)"
    MEMBER = "member", "A team admin, in Team settings"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    api_url = models.URLField(
        "API base URL", max_length=500, blank=True,
        help_text="The API's origin, e.g. https://api.ainative.studio. "
                  "Empty means the studio's default.",
    )
    # A URL of unknown origin counts as a member's: checked, never trusted blindly.
    api_url_source = models.CharField(max_length=10, choices=UrlSource.choices,
                                      default=UrlSource.MEMBER, editable=False)
    api_token_encrypted = models.TextField(blank=True, editable=False)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    credits_remaining = models.IntegerField(null=True, blank=True, editable=False)
    credits_as_of = models.DateTimeField(null=True, blank=True, editable=False)
    monthly_budget = models.PositiveIntegerField(
        null=True, blank=True, help_text="Credits the whole team may spend in a calendar "
                                         "month (UTC). Empty: no budget.")
    approval_above = models.PositiveIntegerField(
        "Approval above", null=True, blank=True,
        help_text="A submission that costs more credits than this waits for an admin's "
                  "approval (an admin's own goes at once). Empty: none waits.")
    viewers_may_review = models.BooleanField(
        "Viewers may rate and comment", default=False,
        help_text="So a client with a viewer's seat can give feedback. Viewers still "
                  "cannot generate.")
    members_may_approve = models.BooleanField(
        "Members may approve", default=False,
        help_text="Let members set an item's review status to approved; otherwise only "
                  "admins can.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def effective_api_url(self) -> str:
        return self.api_url or settings.DEFAULT_API_URL

    @property
    def api_url_trusted(self) -> bool:
        """The operator's word: the studio's default, or a URL a management command set.
        Any other address is connected to only if public (unless the operator allows)."""
        return not self.api_url or self.api_url_source == UrlSource.OPERATOR

    @property
    def api_token(self) -> str:
        return crypto.decrypt(self.api_token_encrypted)

    @api_token.setter
    def api_token(self, value: str) -> None:
        self.api_token_encrypted = crypto.encrypt(value)

    @property
    def api_token_hint(self) -> str:
        """Enough of the token to recognise it, never enough to use it."""
        token = self.api_token
        if not token:
            return ""
        return "••••" + token[-4:] if len(token) >= 12 else "••••"

    @property
    def api_fingerprint(self) -> str:
        """Who the API counts calls against: teams sharing a token share limits."""
        identity = f"{self.effective_api_url}\n{self.api_token}".encode()
        return hashlib.sha256(identity).hexdigest()

    @property
    def is_premium(self) -> bool:
        return self.tier == Tier.PREMIUM


class Density(models.TextChoices):
    """How large the gallery draws its rows, as each member likes it."""

    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    monthly_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Credits this member may spend in a calendar "
                                         "month (UTC). Empty: no cap.")
    gallery_density = models.CharField(max_length=6, choices=Density.choices,
                                       default=Density.MEDIUM)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def has_role(self, needed: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(needed)]

    @property
    def can_generate(self) -> bool:
        return self.has_role(Role.MEMBER)

    @property
    def can_manage(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def can_review(self) -> bool:
        """Rate and comment: members and above, and viewers where the team lets them
        (a client giving feedback)."""
        return self.can_generate or self.team.viewers_may_review

    def may_change(self, work) -> bool:
        """The one rule for changing someone's work (cancel, delete or restore a
        generation, delete a comment): an admin, or its author while still allowed
        to make such work."""
        return self.can_manage or (work.author_id == self.user_id and self.can_generate)


class AuditEvent(models.Model):
    """Who did what in a team, and when. Append-only: never edited or deleted."""

    class Action(models.TextChoices):
        GENERATED = "generated", "Generated"
        CANCELED = "canceled", "Canceled"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        MOVED_TO_TOP = "moved_to_top", "Moved to the top"
        LANE_CHANGED = "lane_changed", "Changed a lane"
        RATED = "rated", "Rated"
        COMMENTED = "commented", "Commented"
        COMMENT_DELETED = "comment_deleted", "Deleted a comment"
        APPROVED = "approved", "Approved a set"
        DECLINED = "declined", "Declined a set"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Restored"
        API_TOKEN_CHANGED = "api_token_changed", "Changed the API token"
        API_URL_CHANGED = "api_url_changed", "Changed the API URL"
        TIER_CHANGED = "tier_changed", "Changed the API tier"
        BUDGET_CHANGED = "budget_changed", "Changed a budget"
        FEEDBACK_CHANGED = "feedback_changed", "Changed who may rate and comment"
        ROLE_CHANGED = "role_changed", "Changed a role"
        MEMBER_JOINED = "member_joined", "Joined"
        MEMBER_REMOVED = "member_removed", "Removed a member"
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Revoked an invitation"
        OWNERSHIP_TRANSFERRED = "ownership_transferred", "Transferred ownership"
        API_TOKEN_REVOKED = "api_token_revoked", "Revoked REST API tokens"
        PROMPT_SAVED = "prompt_saved", "Saved a prompt to the library"
        # --- sharing and notes ---
        LINK_SHARED = "link_shared", "Shared an outside link"
        LINK_REVOKED = "link_revoked", "Revoked an outside link"
        OUTSIDE_NOTE = "outside_note", "Left a note through an outside link"
        # --- boards ---
        BOARD_CREATED = "board_created", "Made a board"
        BOARD_CHANGED = "board_changed", "Changed a board"
        BOARD_DELETED = "board_deleted", "Deleted a board"
        BOARD_ITEMS_ADDED = "board_items_added", "Added items to a board"
        BOARD_ITEM_REMOVED = "board_item_removed", "Removed an item from a board"
        TAGS_CHANGED = "tags_changed", "Changed tags"
        REVIEW_CHANGED = "review_changed", "Changed a review status"
        APPROVAL_RULE_CHANGED = "approval_rule_changed", "Changed who may approve"
        # --- storyboards ---
        STORYBOARD_CREATED = "storyboard_created", "Made a storyboard"
        STORYBOARD_CHANGED = "storyboard_changed", "Changed a storyboard"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True,
                                  help_text="Kept when the user is gone.")
    action = models.CharField(max_length=30, choices=Action.choices)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.summary}"


class Invitation(models.Model):
    """A link that lets whoever holds it join the team with a role, until it expires."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation to {self.team} as {self.role}"
