import hashlib

from django.conf import settings
from django.db import models

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


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    api_url = models.URLField(
        "API base URL", max_length=500, blank=True,
        help_text="The API's origin, e.g. https://api.ainative.studio. "
                  "Empty means the studio's default.",
    )
    api_token_encrypted = models.TextField(blank=True, editable=False)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    credits_remaining = models.IntegerField(null=True, blank=True, editable=False)
    credits_as_of = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def effective_api_url(self) -> str:
        return self.api_url or settings.DEFAULT_API_URL

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


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

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
