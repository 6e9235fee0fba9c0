"""Admin of the hosted-helpdesk connections (secret, agent, field map) and their event log."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from andon.contacts.models import ReasonCode
from andon.contacts.selectors import Channel
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from ..models import InboundConnection, InboundEvent


class InboundConnectionForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        max_length=200,
        help_text=_(
            "Zendesk: the webhook's signing secret. Zammad: the HMAC token of the webhook. "
            "Freshdesk: leave empty to generate one, then send it in X-Andon-Token."
        ),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)

    class Meta:
        model = InboundConnection
        fields = [
            "vendor",
            "slug",
            "secret",
            "agent",
            "order_field",
            "line_field",
            "reason_field",
            "reason_map",
            "default_reason",
            "channel",
            "active",
        ]

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"].strip() or secrets.token_urlsafe(32)

    def clean_agent(self):
        agent = self.cleaned_data["agent"]
        if not people_rules.may_record_contact(roles_of(agent)):
            raise forms.ValidationError(_("Choose an agent or team lead: they record contacts."))
        return agent

    def clean_reason_map(self) -> dict[str, str]:
        value = self.cleaned_data["reason_map"] or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise forms.ValidationError(
                _("An object that maps each helpdesk value to a reason code.")
            )
        unknown = set(value.values()) - set(
            ReasonCode.objects.filter(code__in=value.values()).values_list("code", flat=True)
        )
        if unknown:
            raise forms.ValidationError(
                _("Unknown reason codes: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
            )
        return value

    def clean_default_reason(self) -> str:
        code = self.cleaned_data["default_reason"].strip()
        if code and not ReasonCode.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown reason code."))
        return code


@admin.register(InboundConnection)
class InboundConnectionAdmin(admin.ModelAdmin):
    form = InboundConnectionForm
    list_display = ("id", "vendor", "slug", "agent", "order_field", "active", "created_at")
    list_filter = ("vendor", "active")
    search_fields = ("slug",)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "connection",
        "event_type",
        "ticket_id",
        "outcome",
        "contact",
        "received_at",
    )
    list_filter = ("outcome", "connection")
    search_fields = ("event_id", "ticket_id")
    readonly_fields = [f.name for f in InboundEvent._meta.fields]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
