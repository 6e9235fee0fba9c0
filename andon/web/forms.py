"""Console forms: they parse and label input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from andon.contacts.choices import Channel
from andon.contacts.selectors import reasons_active
from andon.contacts.services import TEXT_MAX
from andon.pulls.rules import NOTE_MAX
from andon.reviews import rules as review_rules
from andon.reviews.choices import RootCauseChoices, VerdictChoices
from andon.workorders.choices import DISPOSITION_CHOICES
from andon.workorders.rules import (
    FINDINGS_MAX,
    RELIST_MAX_UNITS,
    RELIST_WATCH_DAYS_MAX,
    REOPEN_REASON_MAX,
)

# Labels as a list shows them ("Return to vendor"), not as the lower-case stored words.
DISPOSITIONS = [(value, capfirst(label)) for value, label in DISPOSITION_CHOICES]
CHANNELS = [(value, capfirst(label)) for value, label in Channel.choices]


def reason_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in reasons_active()]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, phone or order number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )


class ContactForm(forms.Form):
    order = forms.CharField(max_length=64, widget=forms.HiddenInput)
    line_no = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=())
    # Required (contacts.rules: a contact without words is no evidence); the service checks
    # blank text again with the same message.
    text = forms.CharField(
        label=_("What the customer said"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, initial=Channel.PHONE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)  # declared above; `fields` holds Fields
        reason.choices = reason_choices()


class PullForm(forms.Form):
    reason = forms.CharField(max_length=50, widget=forms.HiddenInput)
    # Length and line breaks are the cord's rules (pulls.rules.clean_note): the service
    # explains them in words, so the form does not refuse first with a vaguer message.
    note = forms.CharField(
        label=_("What is wrong, in one line"), max_length=NOTE_MAX * 4, required=False
    )
    # A detected problem the pull is for (the product page's problems), optional.
    problem = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings"), max_length=FINDINGS_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    # No disposition is preselected: the department says what happens to held goods (the
    # service refuses a resolution without one while goods are held, and explains).
    disposition = forms.ChoiceField(
        label=_("What happens to all held goods"),
        choices=[("", _("— choose —"))] + list(DISPOSITIONS),
        required=False,
    )

    def __init__(self, *args, hold_ids: Iterable[int] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hold_ids = list(hold_ids)
        for h in self.hold_ids:
            self.fields[f"hold-{h}"] = forms.ChoiceField(
                label=_("Hold %(id)s") % {"id": h},
                required=False,
                choices=[("", _("as for all"))] + list(DISPOSITIONS),
            )

    def hold_dispositions(self) -> dict[int, str]:
        return {
            h: self.cleaned_data[f"hold-{h}"]
            for h in self.hold_ids
            if self.cleaned_data.get(f"hold-{h}")
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen"), max_length=REOPEN_REASON_MAX)


class RelistForm(forms.Form):
    """At the last confirmation: relist fully, or staged (a cap and a watch). The service
    checks the combination (workorders.rules.relist_choice)."""

    relist = forms.ChoiceField(
        label=_("When this is the last work order, relist"),
        choices=[("full", _("fully")), ("staged", _("in stages (a cap and a watch)"))],
        widget=forms.RadioSelect,
        initial="full",
        required=False,
    )
    max_units = forms.IntegerField(
        label=_("Units cap"), min_value=1, max_value=RELIST_MAX_UNITS, required=False
    )
    watch_days = forms.IntegerField(
        label=_("Watch days"), min_value=1, max_value=RELIST_WATCH_DAYS_MAX, required=False
    )


class ReviewForm(forms.Form):
    """A verdict on a pull. No verdict is preselected, and a refused form is shown again
    exactly as it was sent (the service judges it; the form only parses and labels)."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[(v, capfirst(label)) for v, label in VerdictChoices.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"),
        choices=[("", "—"), *((v, capfirst(label)) for v, label in RootCauseChoices.choices)],
        required=False,
    )
    action = forms.CharField(
        label=_("Corrective action"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "maxlength": review_rules.NOTE_MAX,
                "placeholder": _("e.g. training on the cord rules, due in 2 weeks"),
            }
        ),
    )
    department = forms.ChoiceField(
        label=_("Department (process change)"), choices=[("", "—")], required=False
    )

    def __init__(
        self,
        *args: Any,
        departments: Sequence[tuple[str, str]] = (),
        error_field: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "—"), *departments]
        if error_field in self.fields:
            self.fields[error_field].widget.attrs["aria-invalid"] = "true"

    def value(self, name: str) -> str:
        """What was sent for a field, as sent (the service validates it)."""
        return str(self.data.get(self.add_prefix(name), "")) if self.is_bound else ""


class CorrectionForm(ReviewForm):
    """Correcting a verdict: as a review, with the reason why (required by the service)."""

    reason = forms.CharField(
        label=_("Why the verdict is corrected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": review_rules.REASON_MAX}),
    )
