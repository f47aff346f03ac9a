from django.contrib import admin

from studio.sandbox.models import SandboxAccount, SandboxFaults, SandboxUsage


class FaultsInline(admin.StackedInline):
    model = SandboxFaults


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tier", "credits", "created_at"]
    inlines = [FaultsInline]


@admin.register(SandboxUsage)
class SandboxUsageAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "endpoint_type", "credits_used", "status", "created_at"]
    list_filter = ["endpoint_type", "status"]
