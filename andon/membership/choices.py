"""Membership's vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import BenefitKind, Change, Metric, MilestoneStatus, Period, Source, State


class StateChoices(models.TextChoices):
    TRIAL = State.TRIAL.value, _("trial")
    ACTIVE = State.ACTIVE.value, _("active")
    PAST_DUE = State.PAST_DUE.value, _("past due")
    CANCELLED = State.CANCELLED.value, _("cancelled")
    EXPIRED = State.EXPIRED.value, _("expired")


class PeriodChoices(models.TextChoices):
    MONTH = Period.MONTH.value, _("monthly")
    YEAR = Period.YEAR.value, _("annual")


class SourceChoices(models.TextChoices):
    RECOVERY = Source.RECOVERY.value, _("service recovery")
    CONSOLE = Source.CONSOLE.value, _("console")
    STOREFRONT = Source.STOREFRONT.value, _("storefront")
    API = Source.API.value, _("API")
    CAMPAIGN = Source.CAMPAIGN.value, _("campaign")


class BenefitKindChoices(models.TextChoices):
    DISCOUNT = BenefitKind.DISCOUNT.value, _("percentage discount")
    FREE_SHIPPING = BenefitKind.FREE_SHIPPING.value, _("free shipping")
    RETURN_WINDOW = BenefitKind.RETURN_WINDOW.value, _("extended return window (days)")
    PRIORITY_SERVICE = BenefitKind.PRIORITY_SERVICE.value, _("priority service line")
    OTHER = BenefitKind.OTHER.value, _("other")


class ChangeChoices(models.TextChoices):
    STARTED = Change.STARTED.value, _("started")
    CONVERTED = Change.CONVERTED.value, _("converted to paid")
    RENEWED = Change.RENEWED.value, _("renewed")
    PAST_DUE = Change.PAST_DUE.value, _("payment past due")
    CANCELLED = Change.CANCELLED.value, _("cancelled")
    EXPIRED = Change.EXPIRED.value, _("expired")


class MetricChoices(models.TextChoices):
    ENROLMENTS = Metric.ENROLMENTS.value, _("enrolments")
    TRIAL_CONVERSION = Metric.TRIAL_CONVERSION.value, _("trial conversion")
    RENEWAL_RATE = Metric.RENEWAL_RATE.value, _("renewal rate")
    MEMBER_GMV_SHARE = Metric.MEMBER_GMV_SHARE.value, _("member share of GMV")


class MilestoneStatusChoices(models.TextChoices):
    MET = MilestoneStatus.MET.value, _("met")
    MISSED = MilestoneStatus.MISSED.value, _("missed")
    BEHIND = MilestoneStatus.BEHIND.value, _("behind so far")
    NO_DATA = MilestoneStatus.NO_DATA.value, _("no data yet")
