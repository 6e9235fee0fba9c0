from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.errors import InvalidInput
from andon.core.i18n import in_reader_language

from . import rules
from .choices import (
    BenefitKindChoices,
    ChangeChoices,
    MetricChoices,
    PeriodChoices,
    SourceChoices,
    StateChoices,
)

LIVE_STATES = [s.value for s in rules.LIVE]


class Plan(models.Model):
    """A membership plan as sold: price per period, trial, grace, benefits (rows below)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    price = models.DecimalField(
        _("price per period (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    period = models.CharField(_("period"), max_length=8, choices=PeriodChoices.choices)
    trial_days = models.PositiveSmallIntegerField(
        _("trial days"), default=0, validators=[MaxValueValidator(rules.TRIAL_DAYS_MAX)]
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days when past due"),
        default=7,
        validators=[MaxValueValidator(rules.GRACE_DAYS_MAX)],
    )
    recovery_action = models.SlugField(
        _("recovery action that enrols"),
        max_length=50,
        blank=True,
        help_text=_(
            "Code of the service recovery action that starts a trial of this plan "
            "(in the default catalogue: membership-98)."
        ),
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="plan_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(period__in=[p.value for p in rules.Period]),
                name="plan_period_known",
            ),
            # Service recovery starts a trial: a plan it enrols in must offer one.
            models.CheckConstraint(
                condition=models.Q(recovery_action="") | models.Q(trial_days__gt=0),
                name="plan_recovery_needs_trial",
            ),
            models.UniqueConstraint(
                fields=["recovery_action"],
                condition=~models.Q(recovery_action=""),
                name="plan_one_per_recovery_action",
            ),
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True)
                | models.Q(available_from__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="plan_available_dates_ordered",
            ),
        ]

    @property
    def name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)

    def clean(self) -> None:
        if self.recovery_action and self.trial_days <= 0:
            raise ValidationError(
                {"trial_days": _("A plan that service recovery enrols in needs a trial.")}
            )

    def __str__(self) -> str:
        return self.name


class Benefit(models.Model):
    """One benefit of a plan, typed so that the storefront can apply it: a percentage off, free
    shipping, a longer return window, the priority service line, or another one in words."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="benefits", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=BenefitKindChoices.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Percentage for a discount, days for a return window; empty otherwise."),
    )
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=~models.Q(kind=rules.BenefitKind.OTHER.value),
                name="benefit_one_per_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=rules.BenefitKind.DISCOUNT.value)
                | models.Q(value__gt=0, value__lte=rules.DISCOUNT_MAX),
                name="benefit_discount_percentage",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=rules.BenefitKind.RETURN_WINDOW.value)
                | models.Q(value__gt=0, value__lte=rules.RETURN_WINDOW_MAX),
                name="benefit_return_window_days",
            ),
        ]

    @property
    def label(self) -> str:
        text = in_reader_language(self.label_zh, self.label_en)
        return text or str(BenefitKindChoices(self.kind).label)

    def clean(self) -> None:
        try:
            rules.check_benefit(rules.BenefitKind(self.kind), self.value)
        except InvalidInput as e:
            raise ValidationError({"value": e.detail}) from None

    def __str__(self) -> str:
        return f"{self.kind} {self.value or ''}".strip()


class Membership(models.Model):
    """One customer's membership of one plan, from enrolment to expiry. A new enrolment after
    expiry is a new row: the history of each stays whole."""

    customer = models.ForeignKey(
        "orders.Customer",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("customer"),
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("plan")
    )
    state = models.CharField(_("state"), max_length=12, choices=StateChoices.choices)
    source = models.CharField(_("source"), max_length=12, choices=SourceChoices.choices)
    campaign = models.CharField(_("campaign"), max_length=64, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    # The RecoveryGiven that enrolled the customer: an id, not a foreign key, because service
    # recovery sits above membership (imports and migrations point one way). Unique: one
    # recovery enrols at most once, however often it is replayed.
    recovery_ref = models.BigIntegerField(_("service recovery"), null=True, blank=True, unique=True)
    auto_renew = models.BooleanField(_("renews automatically"), default=True)
    started_at = models.DateTimeField(_("started at"))
    trial_ends_at = models.DateTimeField(_("trial ends at"), null=True, blank=True)
    # Paid periods are counted from this instant (see rules.period_end).
    paid_from = models.DateTimeField(_("paid from"), null=True, blank=True)
    paid_periods = models.PositiveIntegerField(_("paid periods"), default=0)
    ends_at = models.DateTimeField(_("ends at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(state__in=LIVE_STATES),
                name="membership_one_live_per_customer",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in rules.State]),
                name="membership_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("started_at")),
                name="membership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=rules.State.EXPIRED.value)
                | models.Q(ended_at__isnull=False),
                name="membership_expired_has_end",
            ),
        ]
        indexes = [
            # The tick's read: live memberships whose period has ended.
            models.Index(fields=["state", "ends_at"], name="membership_due"),
            models.Index(fields=["started_at"], name="membership_started"),
            # "Was this customer a member at t": started_at <= t < ended_at, one index probe
            # per order or contact without a visit to the table (member figures).
            models.Index(
                fields=["customer", "started_at"], include=["ended_at"], name="membership_held"
            ),
            # Paid members at the start of a period (churn's denominator), index only.
            models.Index(fields=["paid_from"], include=["ended_at"], name="membership_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.plan_id} {self.state}"


class MembershipChange(models.Model):
    """One step of a membership's history; append-only. What the KPIs count (conversions,
    renewals, churn) and what the customer page shows."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="changes", verbose_name=_("membership")
    )
    change = models.CharField(_("change"), max_length=12, choices=ChangeChoices.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=StateChoices.choices)
    at = models.DateTimeField(_("at"))  # indexed by membership_change_tally
    ends_at = models.DateTimeField(_("ends at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    # Whether the membership had paid time when this happened: the renewal and churn figures
    # count paid expiries without joining every change of the period to its membership.
    paid = models.BooleanField(_("paid"), default=False)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership history")
        ordering = ["at", "id"]
        constraints = [
            # Backs up the tick's row locks: two ticks can never renew (or convert, expire)
            # the same membership into the same period twice.
            models.UniqueConstraint(
                fields=["membership", "change", "ends_at"], name="membership_change_once"
            )
        ]
        indexes = [
            models.Index(fields=["change", "at"], name="membership_change_at"),
            # A period's changes tallied (the figures, their trend) from the index alone.
            models.Index(
                fields=["at"],
                include=["change", "from_state", "paid"],
                name="membership_change_tally",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.change} {self.at:%Y-%m-%d}"


class Launch(models.Model):
    """A plan's launch for a market or segment: owners, a start date, and milestones at day
    30, 60 and 90 (or any day) with targets, measured against the live figures."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="launches", verbose_name=_("plan")
    )
    segment = models.CharField(_("market or segment"), max_length=100, blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("owners")
    )
    starts_on = models.DateField(_("starts on"))

    class Meta:
        verbose_name = _("launch plan")
        verbose_name_plural = _("launch plans")
        ordering = ["-starts_on", "code"]

    @property
    def name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A target for a figure by a day of the launch (day 30: 500 enrolments)."""

    launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("launch plan")
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(3660)]
    )
    metric = models.CharField(_("figure"), max_length=20, choices=MetricChoices.choices)
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "A count for enrolments; a share from 0 to 1 for the rates (0.73 means 73 percent)."
        ),
    )
    tasks = models.TextField(
        _("tasks"), blank=True, help_text=_("One task a line: what the owners do to get there.")
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["launch", "day", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["launch", "day", "metric"], name="milestone_one_per_day_metric"
            ),
            models.CheckConstraint(condition=models.Q(day__gte=1), name="milestone_day_positive"),
            models.CheckConstraint(
                condition=models.Q(target__gte=0)
                & (models.Q(metric=rules.Metric.ENROLMENTS.value) | models.Q(target__lte=1)),
                name="milestone_target_in_range",
            ),
        ]

    def clean(self) -> None:
        try:
            rules.check_target(rules.Metric(self.metric), self.target)
        except InvalidInput as e:
            raise ValidationError({"target": e.detail}) from None

    def __str__(self) -> str:
        return f"{self.launch_id} d{self.day} {self.metric} {self.target}"


class MemberDay(models.Model):
    """One closed day (product time zone) of membership activity, summed once: enrolments by
    source, changes by (change, from state) with how many had paid time, and the day's orders
    and GMV, all and by members. The figures and their trend read these for whole past days
    instead of every row (see days.py). Written by the tick; a write dated on a summed day (a
    membership's, or an order's or its lines') marks it stale (and bumps its version), and a
    stale day is read row by row until the tick sums it again."""

    day = models.DateField(_("day"), unique=True)
    enrolments = models.JSONField(_("enrolments by source"), default=dict)
    steps = models.JSONField(_("changes"), default=list)  # [change, from_state, n, paid]
    orders = models.PositiveIntegerField(_("orders"), default=0)
    member_orders = models.PositiveIntegerField(_("orders by members"), default=0)
    gmv = models.DecimalField(_("GMV"), max_digits=16, decimal_places=2, default=0)
    member_gmv = models.DecimalField(
        _("GMV of members"), max_digits=16, decimal_places=2, default=0
    )
    stale = models.BooleanField(_("stale"), default=False)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("membership day")
        verbose_name_plural = _("membership days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'stale' if self.stale else ''}".strip()
