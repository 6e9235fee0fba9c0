from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.i18n import in_reader_language

from .choices import DISPOSITION_CHOICES, STATE_CHOICES
from .rules import State


class WorkOrder(models.Model):
    # The vocabulary lives in .choices, which the interfaces read without the models.
    STATE_CHOICES = STATE_CHOICES
    DISPOSITION_CHOICES = DISPOSITION_CHOICES

    andon = models.ForeignKey(
        "pulls.Andon",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("andon"),
    )
    department = models.ForeignKey(
        "people.Department",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("department"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=STATE_CHOICES, default=State.OPEN.value, db_index=True
    )
    instruction_zh = models.TextField(_("instruction (Chinese)"))
    instruction_en = models.TextField(_("instruction (English)"))
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    findings = models.TextField(_("findings"), blank=True)
    disposition = models.CharField(
        _("disposition of held goods"), max_length=20, choices=DISPOSITION_CHOICES, blank=True
    )
    hold_dispositions = models.JSONField(
        _("per-hold dispositions"),
        default=dict,
        blank=True,
        help_text=_("Exceptions to the default disposition, by hold id."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    last_reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["andon", "department"], name="workorder_one_per_department"
            )
        ]

    @property
    def instruction(self) -> str:
        return in_reader_language(self.instruction_zh, self.instruction_en)

    def __str__(self) -> str:
        return f"WO-{self.pk}"
