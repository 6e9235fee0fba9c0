"""The `andon-history` import kind: an organisation's past pulls, recorded as closed andons
with their own times. Set-based per chunk (a handful of reads, one insert per table).

What a past pull is: an andon opened and closed in the past, its evidence (contacts imported
before it, by external id), the pull credited to its agent, and its review if it had one (a
valid verdict credits the bonus at the review's time, as it did then). What it is not: a
stop-sell, holds, work orders or an outbound event. The storefront is not told about the
past, and no webhook leaves: the rows are written directly, in the chunk's transaction, with
an audit entry each, not through the cord (which would stop the product now).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.core.models import AuditEntry
from andon.incentives.models import BonusCredit
from andon.incentives.selectors import bonus_policy
from andon.people.models import Profile
from andon.pulls.first_report import stamp_first_reports
from andon.pulls.models import Andon, AndonEvidence, AndonState, CordPull
from andon.reviews.models import PullReview
from andon.reviews.summaries import refresh_pulled

if TYPE_CHECKING:
    from .import_common import ImportResult, Parsed

SPLIT = re.compile(r"[\s,;，；]+")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def andon_history(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in={r.agent for _, r in rows} | {r.reviewer for _, r in rows if r.reviewer}
        )
    }
    products = dict(
        Product.objects.filter(sku__in={r.sku for _, r in rows}).values_list("sku", "id")
    )
    reasons = dict(
        ReasonCode.objects.filter(code__in={r.reason for _, r in rows}).values_list("code", "id")
    )
    wanted = {e for _, r in rows for e in SPLIT.split(r.evidence) if e}
    contacts = dict(Contact.objects.filter(external_id__in=wanted).values_list("external_id", "id"))
    teams = {
        p.user_id: (p.team_id, p.team.lead_id if p.team else None)
        for p in Profile.objects.filter(user__in=users.values()).select_related("team")
    }
    existing = set(
        Andon.objects.filter(
            product_id__in=products.values(), opened_at__in={_aware(r.pulled_at) for _, r in rows}
        ).values_list("product_id", "reason_id", "opened_by_id", "opened_at")
    )
    now = timezone.now()
    good: list[tuple[int, Any, dt.datetime, dt.datetime | None, list[int]]] = []
    seen: set[tuple] = set()
    for n, r in rows:
        pulled, reviewed = _aware(r.pulled_at), _aware(r.reviewed_at)
        assert pulled is not None
        ev_ids = [e for e in SPLIT.split(r.evidence) if e]
        missing = [e for e in ev_ids if e not in contacts]
        agent = users.get(r.agent)
        reviewer = users.get(r.reviewer) if r.reviewer else None
        problem = None
        if r.sku not in products:
            problem = ("sku", gettext("No product with SKU “%(sku)s”.") % {"sku": r.sku})
        elif r.reason not in reasons:
            problem = ("reason", gettext("No reason code “%(code)s”.") % {"code": r.reason})
        elif agent is None:
            problem = ("agent", gettext("No user “%(username)s”.") % {"username": r.agent})
        elif pulled > now:
            problem = ("pulled_at", gettext("A past pull cannot be in the future."))
        elif missing:
            problem = (
                "evidence",
                gettext("No contact with external id “%(id)s”: import the contacts first.")
                % {"id": missing[0]},
            )
        elif r.verdict and (reviewer is None or reviewed is None):
            problem = (
                "reviewer" if reviewer is None else "reviewed_at",
                gettext("A verdict needs its reviewer and its time."),
            )
        elif r.verdict == "invalid" and not r.root_cause:
            problem = ("root_cause", gettext("An invalid pull needs its root cause."))
        elif reviewed is not None and not (pulled <= reviewed <= now):
            problem = (
                "reviewed_at",
                gettext("A review comes after its pull, and not later than now."),
            )
        if problem:
            result.reject(n, *problem)
            continue
        assert agent is not None  # checked above; for the type checker
        key = (products[r.sku], reasons[r.reason], agent.pk, pulled)
        if key in existing:
            result.unchanged += 1
            continue
        if key in seen:
            result.reject(n, "pulled_at", gettext("The same pull twice in one import."))
            continue
        seen.add(key)
        good.append((n, r, pulled, reviewed, [contacts[e] for e in ev_ids]))
    if not good:
        return
    andons = Andon.objects.bulk_create(
        [
            Andon(
                product_id=products[r.sku],
                reason_id=reasons[r.reason],
                state=AndonState.CLOSED,
                note=r.note,
                opened_at=pulled,
                opened_by=users[r.agent],
                team_id=teams.get(users[r.agent].pk, (None, None))[0],
                team_lead_id=teams.get(users[r.agent].pk, (None, None))[1],
                closed_at=reviewed or pulled,
            )
            for _n, r, pulled, reviewed, _ev in good
        ]
    )
    policy = bonus_policy()
    pulls: list[CordPull] = []
    links: list[AndonEvidence] = []
    reviews: list[PullReview] = []
    credits: list[BonusCredit] = []
    audits: list[AuditEntry] = []
    for a, (_n, r, pulled, reviewed, ev) in zip(andons, good, strict=True):
        pulls.append(
            CordPull(andon=a, agent_id=a.opened_by_id, note=r.note, pulled_at=pulled, credited=True)
        )
        links.extend(AndonEvidence(andon=a, contact_id=c) for c in dict.fromkeys(ev))
        audits.append(
            AuditEntry(
                occurred_at=pulled,
                actor_id=a.opened_by_id,
                action="andon.pulled",
                subject_type="andon",
                subject_id=str(a.pk),
                andon_id=a.pk,
                data={"note": r.note, "evidence": ev, "history": True},
            )
        )
        if r.verdict and reviewed is not None:
            reviewer = users[r.reviewer]
            reviews.append(
                PullReview(
                    andon=a,
                    reviewer=reviewer,
                    verdict=r.verdict,
                    root_cause=r.root_cause or "" if r.verdict == "invalid" else "",
                    reviewed_at=reviewed,
                    pulled_at=pulled,
                    agent_id=a.opened_by_id,
                    team_id=a.team_id,
                    team_lead_id=a.team_lead_id,
                )
            )
            audits.append(
                AuditEntry(
                    occurred_at=reviewed,
                    actor_id=reviewer.pk,
                    action="andon.reviewed",
                    subject_type="andon",
                    subject_id=str(a.pk),
                    andon_id=a.pk,
                    data={"verdict": r.verdict, "root_cause": r.root_cause or "", "history": True},
                )
            )
            if r.verdict == "valid":
                credits.append(
                    BonusCredit(
                        agent_id=a.opened_by_id,
                        andon=a,
                        amount=policy.amount_per_valid_pull,
                        currency=policy.currency,
                        credited_at=reviewed,
                        note=gettext("Valid pull (history import)"),
                    )
                )
    CordPull.objects.bulk_create(pulls, batch_size=500)
    AndonEvidence.objects.bulk_create(links, batch_size=500)
    PullReview.objects.bulk_create(reviews, batch_size=500)
    stamp_first_reports(a.pk for a in andons)
    refresh_pulled(r.pulled_at for r in reviews)
    BonusCredit.objects.bulk_create(credits, batch_size=500)
    AuditEntry.objects.bulk_create(audits, batch_size=500)
    result.created += len(good)
