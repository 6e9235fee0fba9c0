"""A seeded, realistic world with planted actors for integrity signals, and their labels.

Regular life: a few hundred long-time customers with their delivered orders (a long-tailed
number each), a few percent of deliveries turn into a claim with a recovery, households that
share an address, teams of agents who pull the cord, reviews (mostly valid), bonuses.

Planted, each with its truth label:
- customer fraud: customers who claim on most of their deliveries, about many products, and
  collect refunds;
- account clusters: a few brand-new accounts sharing an address / phone / device that report
  one product within hours;
- staff misuse: an agent whose pulls are mostly invalid, one whose evidence always comes from
  the same two customers, one who records the same customer's complaint again and again;
- system errors: an integration account that posts a burst of contacts on many products in
  minutes (an import burst), and a kiosk account that pulls on several products in minutes.

Innocent look-alikes, which must stay quiet:
- a genuinely bad batch: many long-time customers (two households among them) report one
  product on one day, and an agent pulls;
- heavy buyers with a few real problems a year;
- a top agent with many valid pulls and most of the team's bonus;
- an integration account that imports months of history (many contacts, spread over time);
- an integration account that syncs another desk's bad-batch complaints in one go (many
  contacts with one timestamp, all about one product).

Lives in bench/ because both the quality test (tests/integrity/) and the quality benchmark
use it, and benchmarks do not import the tests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode, ReasonRoute
from andon.incentives.models import BonusCredit
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.orders.rules import address_key
from andon.people.models import Department, Profile, Team
from andon.pulls.models import Andon, AndonEvidence, AndonState, CordPull
from andon.recovery.models import RecoveryAction, RecoveryGiven
from andon.recovery.services import catalogue_ensure_defaults
from andon.reviews.models import PullReview

KINDS = ("customer-fraud", "account-cluster", "staff-misuse", "system-error")
MAIN_SUBJECT = {
    "customer-fraud": "customer",
    "account-cluster": "account-cluster",
    "staff-misuse": "agent",
    "system-error": "agent",
}


@dataclass
class Truth:
    planted: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    # (subject_type, subject) pairs that no signal of any kind may name.
    innocent: set[tuple[str, str]] = field(default_factory=set)
    # Clusters are named by their sorted customers; a found cluster matches a planted one
    # when they share at least two customers.
    clusters: list[set[str]] = field(default_factory=list)
    # Andons whose evidence is a planted cluster's reports (the pull review must say so).
    sabotaged_andons: set[str] = field(default_factory=set)


class _World:
    def __init__(self, seed: int, customers: int) -> None:
        self.rnd = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.n_customers = customers
        self.truth = Truth()
        self.cust: list[Customer] = []
        self.lines: list[OrderLine] = []
        self.contacts: list[Contact] = []
        self.recovery: list[RecoveryGiven] = []
        self.order_no = 0
        self.contact_no = 0
        self.pending_orders: list[Order] = []
        self.pending_lines: list[tuple[int, OrderLine]] = []

    # --- people and catalogue -------------------------------------------------------
    def people(self) -> None:
        agent_group = Group.objects.get_or_create(name="agent")[0]
        lead_group = Group.objects.get_or_create(name="team_lead")[0]
        self.teams: list[Team] = []
        self.agents: list[User] = []
        self.team_of: dict[int, Team] = {}
        for t in range(3):
            lead = User.objects.create_user(username=f"w-lead{t}")
            lead.groups.add(lead_group)
            team = Team.objects.create(
                code=f"w-team-{t}", name_zh=f"组{t}", name_en=f"Team {t}", lead=lead
            )
            self.teams.append(team)
            for a in range(6):
                u = User.objects.create_user(username=f"w-agent{t}{a}")
                u.groups.add(agent_group)
                Profile.objects.create(user=u, team=team)
                self.agents.append(u)
                self.team_of[u.pk] = team
        self.reviewer = self.teams[0].lead

    def catalogue(self) -> None:
        self.products = Product.objects.bulk_create(
            Product(
                sku=f"W{n:05d}",
                title=f"Product {n}",
                price=Decimal(self.rnd.choice([19, 39, 59, 89, 129, 299])),
            )
            for n in range(80)
        )
        self.reasons = [
            ReasonCode.objects.get_or_create(
                code=c, defaults={"label_zh": c, "label_en": c, "threshold": 2}
            )[0]
            for c in ("w-print", "w-damaged", "w-missing", "w-wrong")
        ]
        vendor = Department.objects.create(
            code="w-vendor", name_zh="供应商管理", name_en="Vendor management"
        )
        ReasonRoute.objects.bulk_create(
            ReasonRoute(
                reason=r, department=vendor, instruction_zh="检验", instruction_en="Inspect"
            )
            for r in self.reasons
        )
        catalogue_ensure_defaults()
        self.coupon = RecoveryAction.objects.filter(kind="coupon").first()
        self.refund = RecoveryAction.objects.filter(kind="refund").first()

    # --- customers and orders --------------------------------------------------------
    def customer(self, ext: str, *, registered_days: float, **extra) -> Customer:
        n = len(self.cust)
        c = Customer(
            external_id=ext,
            name=f"Customer {ext}",
            phone=extra.pop("phone", f"138{n:08d}"),
            registered_at=self.now - dt.timedelta(days=registered_days),
            address=extra.pop("address", f"{n} Garden Road, Block {n % 37}"),
            city=extra.pop("city", self.rnd.choice(["上海", "北京", "广州", "杭州"])),
            device_id=extra.pop("device_id", f"dev-{ext}" if self.rnd.random() < 0.7 else ""),
        )
        c.address_key = address_key(c.address, c.city)
        self.cust.append(c)
        return c

    def delivered(self, c: Customer, product: Product, at: dt.datetime) -> int:
        """A delivered order of one line; returns the index of its line."""
        self.order_no += 1
        o = Order(external_id=f"WO{self.order_no:07d}", placed_at=at, channel="web")
        o._cust = c  # type: ignore[attr-defined]
        self.pending_orders.append(o)
        line = OrderLine(
            line_no=1,
            product=product,
            quantity=1,
            unit_price=product.price,
            fulfilment_status=FulfilmentStatus.DELIVERED,
            status_changed_at=at + dt.timedelta(days=2),
        )
        self.pending_lines.append((len(self.pending_orders) - 1, line))
        return len(self.pending_lines) - 1

    def claim(
        self,
        line_idx: int,
        at: dt.datetime,
        agent: User,
        *,
        reason: ReasonCode | None = None,
        recovery: str | None = "coupon",
        external: bool = False,
    ) -> int:
        """A contact about a delivered line; returns its index."""
        self.contact_no += 1
        order_idx, line = self.pending_lines[line_idx]
        c = Contact(
            created_at=at,
            external_id=f"WC{self.contact_no:07d}" if external else None,
            product=line.product,
            reason=reason or self.rnd.choice(self.reasons),
            text="",
            agent=agent,
        )
        c._line_idx = line_idx  # type: ignore[attr-defined]
        c._cust = self.pending_orders[order_idx]._cust  # type: ignore[attr-defined]
        self.contacts.append(c)
        if recovery:
            cost = (
                Decimal(self.rnd.choice([5, 10, 20]))
                if recovery == "coupon"
                else line.product.price
            )
            r = RecoveryGiven(
                action=self.coupon if recovery == "coupon" else self.refund,
                cost=cost,
                agent=agent,
                team=self.team_of.get(agent.pk),
                given_at=at + dt.timedelta(minutes=3),
            )
            r._contact_idx = len(self.contacts) - 1  # type: ignore[attr-defined]
            self.recovery.append(r)
        return len(self.contacts) - 1

    def past(self, days_max: float = 360, days_min: float = 3) -> dt.datetime:
        return self.now - dt.timedelta(days=self.rnd.uniform(days_min, days_max))

    def regular_life(self) -> None:
        self.regulars: list[Customer] = []
        for n in range(self.n_customers):
            c = self.customer(f"R{n:05d}", registered_days=self.rnd.uniform(200, 2500))
            self.regulars.append(c)
        # Households: long-time customers who share an address (and sometimes a device).
        for a, b in zip(self.regulars[0:40:2], self.regulars[1:40:2], strict=True):
            b.address, b.city = a.address, a.city
            b.address_key = a.address_key
            if self.rnd.random() < 0.3 and a.device_id:
                b.device_id = a.device_id
        for c in self.regulars:
            orders = min(int(self.rnd.lognormvariate(1.7, 0.7)) + 1, 40)
            for _ in range(orders):
                at = self.past()
                li = self.delivered(c, self.rnd.choice(self.products), at)
                if self.rnd.random() < 0.04:
                    self.claim(
                        li,
                        at + dt.timedelta(days=self.rnd.uniform(2, 10)),
                        self.rnd.choice(self.agents),
                        recovery=self.rnd.choice(["coupon", "coupon", "refund", None]),
                    )

    # --- planted actors -------------------------------------------------------------
    def fraudsters(self, k: int = 6) -> None:
        for i in range(k):
            c = self.customer(f"F{i:03d}", registered_days=self.rnd.uniform(150, 900))
            orders = self.rnd.randint(6, 12)
            claims = max(3, round(orders * self.rnd.uniform(0.7, 1.0)))
            products = self.rnd.sample(self.products, orders)
            for j, p in enumerate(products):
                at = self.past(300, 10)
                li = self.delivered(c, p, at)
                if j < claims:
                    self.claim(
                        li,
                        at + dt.timedelta(days=self.rnd.uniform(2, 6)),
                        self.rnd.choice(self.agents),
                        recovery=self.rnd.choice(["refund", "refund", "coupon"]),
                    )
            self.truth.planted["customer-fraud"].add(c.external_id)

    def heavy_buyers(self, k: int = 4) -> None:
        for i in range(k):
            c = self.customer(f"H{i:03d}", registered_days=self.rnd.uniform(800, 3000))
            for j in range(self.rnd.randint(60, 110)):
                at = self.past()
                li = self.delivered(c, self.rnd.choice(self.products), at)
                if j < self.rnd.randint(3, 5):
                    self.claim(li, at + dt.timedelta(days=3), self.rnd.choice(self.agents))
            self.truth.innocent.add(("customer", c.external_id))

    def clusters(self, k: int = 3) -> None:
        for i in range(k):
            product = self.rnd.choice(self.products)
            size = self.rnd.randint(3, 4)
            report_at = self.past(200, 5)
            shared_address = f"{100 + i} Harbour Lane, Unit {i}"
            shared_device = f"emu-{i:03d}"
            members = set()
            reports = []
            for j in range(size):
                mode = self.rnd.choice(["address", "device", "both"])
                c = self.customer(
                    f"S{i}{j:02d}",
                    registered_days=(self.now - report_at).days + self.rnd.uniform(0.5, 6),
                    address=shared_address if mode in ("address", "both") else f"{j} Lonely St {i}",
                    city="深圳",
                    device_id=shared_device if mode in ("device", "both") else "",
                )
                if j < 2:  # at least two share everything that links the cluster
                    c.address, c.device_id = shared_address, shared_device
                    c.address_key = address_key(c.address, c.city)
                li = self.delivered(c, product, report_at - dt.timedelta(days=2))
                reports.append(
                    self.claim(
                        li,
                        report_at + dt.timedelta(hours=self.rnd.uniform(0, 20)),
                        self.rnd.choice(self.agents),
                        reason=self.reasons[0],
                        recovery="coupon",
                    )
                )
                members.add(c.external_id)
            if i == 0:  # the campaign worked: an honest agent pulled on its reports
                self.andon(
                    self.agents[7], product, report_at + dt.timedelta(hours=21), reports, None
                )
                self.sabotage_andon = len(self.andons) - 1
            self.truth.clusters.append(members)
            self.truth.planted["account-cluster"].add(",".join(sorted(members)))

    def new_customers(self) -> None:
        """Innocent: new accounts with their first order, one bad parcel each, two of them
        about the same product on the same day (but nothing shared)."""
        product = self.rnd.choice(self.products)
        at = self.past(90, 10)
        for j in range(4):
            c = self.customer(f"N{j:03d}", registered_days=(self.now - at).days + 2)
            li = self.delivered(c, product if j < 2 else self.rnd.choice(self.products), at)
            self.claim(li, at + dt.timedelta(days=2, hours=j), self.rnd.choice(self.agents))
            self.truth.innocent.add(("customer", c.external_id))

    def bad_batch(self) -> None:
        """Innocent: one product's bad batch, 18 long-time customers on one day, households
        among them, and a valid pull."""
        product = self.products[0]
        day = self.past(60, 20)
        evidence = []
        for c in self.regulars[0:18]:  # the first 18 include 9 households
            li = self.delivered(c, product, day - dt.timedelta(days=3))
            evidence.append(
                self.claim(
                    li,
                    day + dt.timedelta(hours=self.rnd.uniform(0, 10)),
                    self.rnd.choice(self.agents),
                    reason=self.reasons[0],
                )
            )
            self.truth.innocent.add(("customer", c.external_id))
        # Many reports of one product in a day are the line's voice, not a campaign against it.
        self.truth.innocent.add(("product", product.sku))
        agent = self.agents[1]
        self.andon(agent, product, day + dt.timedelta(hours=11), evidence[:6], "valid")
        self.bad_batch_andon = len(self.andons) - 1

    def regular_pulls(self) -> None:
        """Every agent pulls now and then: a few pulls a year, nearly all valid."""
        for agent in self.agents:
            for _ in range(self.rnd.randint(1, 4)):
                self.pull_with_fresh_evidence(
                    agent, "valid" if self.rnd.random() > 0.04 else "invalid"
                )

    def pull_with_fresh_evidence(
        self, agent: User, verdict: str | None, customers: list[Customer] | None = None
    ) -> None:
        product = self.rnd.choice(self.products)
        at = self.past(300, 5)
        reason = self.rnd.choice(self.reasons)
        evidence = []
        for c in customers or self.rnd.sample(self.regulars, 2):
            li = self.delivered(c, product, at - dt.timedelta(days=5))
            evidence.append(
                self.claim(
                    li,
                    at - dt.timedelta(hours=self.rnd.uniform(1, 40)),
                    self.rnd.choice(self.agents),
                    reason=reason,
                )
            )
        self.andon(agent, product, at, evidence, verdict, reason=reason)

    def andon(self, agent, product, at, evidence, verdict, reason=None) -> None:
        self.andons.append((agent, product, at, evidence, verdict, reason or self.reasons[0]))

    def staff(self) -> None:
        invalid, friends, repeater = self.agents[4], self.agents[9], self.agents[14]
        for j in range(10):
            self.pull_with_fresh_evidence(invalid, "invalid" if j < 6 else "valid")
        pals = self.rnd.sample(self.regulars[100:], 2)
        for pal in pals:  # the friends buy a lot: their claims alone are not fraud
            for _ in range(40):
                self.delivered(pal, self.rnd.choice(self.products), self.past())
        for _ in range(6):
            self.pull_with_fresh_evidence(friends, "valid", customers=pals)
        for _ in range(16):
            c = self.rnd.choice(self.regulars[200:])
            p = self.rnd.choice(self.products)
            li = self.delivered(c, p, self.past(200, 20))
            at = self.past(200, 20)
            reason = self.rnd.choice(self.reasons)
            for r in range(self.rnd.randint(2, 3)):
                self.claim(li, at + dt.timedelta(hours=r), repeater, reason=reason, recovery=None)
        for a in (invalid, friends, repeater):
            self.truth.planted["staff-misuse"].add(a.username)
        top = self.agents[2]
        for _ in range(25):
            self.pull_with_fresh_evidence(top, "valid")
        self.truth.innocent.add(("agent", top.username))

    def machines(self) -> None:
        integ = Group.objects.get_or_create(name="integrator")[0]
        bot = User.objects.create_user(username="w-sync-bot")
        bot.groups.add(integ)
        at = self.past(100, 10)
        for _ in range(30):  # one faulty sync: 30 contacts, one timestamp, many products
            c = self.rnd.choice(self.regulars)
            li = self.delivered(c, self.rnd.choice(self.products), at - dt.timedelta(days=9))
            self.claim(li, at, bot, recovery=None, external=True)
        self.truth.planted["system-error"].add(bot.username)
        kiosk = User.objects.create_user(username="w-kiosk")
        start = self.past(100, 10)
        for j, p in enumerate(self.rnd.sample(self.products, 6)):
            c = self.rnd.choice(self.regulars)
            li = self.delivered(c, p, start - dt.timedelta(days=4))
            e = self.claim(li, start - dt.timedelta(hours=2), self.rnd.choice(self.agents))
            self.andon(kiosk, p, start + dt.timedelta(minutes=j), [e], None)
        self.truth.planted["system-error"].add(kiosk.username)
        history = User.objects.create_user(username="w-history-import")
        history.groups.add(integ)
        for _ in range(120):  # history import: many contacts, their own times, months apart
            c = self.rnd.choice(self.regulars)
            at = self.past(700, 370)
            li = self.delivered(c, self.rnd.choice(self.products), at)
            self.claim(li, at + dt.timedelta(days=4), history, recovery=None, external=True)
        self.truth.innocent.add(("agent", history.username))
        # Innocent: another desk's complaints about the bad batch, synced in one go (one
        # timestamp, one account): many records, one product.
        batch_sync = User.objects.create_user(username="w-batch-sync")
        batch_sync.groups.add(integ)
        at = self.past(15, 5)
        for c in self.regulars[300:315]:
            li = self.delivered(c, self.products[0], at - dt.timedelta(days=6))
            self.claim(li, at, batch_sync, reason=self.reasons[0], recovery=None, external=True)
        self.truth.innocent.add(("agent", batch_sync.username))

    # --- write -------------------------------------------------------------------------
    def save(self) -> None:
        Customer.objects.bulk_create(self.cust, batch_size=500)
        for o in self.pending_orders:
            o.customer = o._cust  # type: ignore[attr-defined]
        Order.objects.bulk_create(self.pending_orders, batch_size=500)
        lines = []
        for oi, line in self.pending_lines:
            line.order = self.pending_orders[oi]
            lines.append(line)
        OrderLine.objects.bulk_create(lines, batch_size=500)
        for c in self.contacts:
            c.order_line = lines[c._line_idx]  # type: ignore[attr-defined]
            c.customer = c._cust  # type: ignore[attr-defined]
        Contact.objects.bulk_create(self.contacts, batch_size=500)
        for r in self.recovery:
            r.contact = self.contacts[r._contact_idx]  # type: ignore[attr-defined]
            r.customer = r.contact.customer
        RecoveryGiven.objects.bulk_create(self.recovery, batch_size=500)
        self.save_andons()

    def save_andons(self) -> None:
        andons, pulls, links, reviews, credits = [], [], [], [], []
        for agent, product, at, _evidence, _verdict, reason in self.andons:
            team = self.team_of.get(agent.pk)
            andons.append(
                Andon(
                    product=product,
                    reason=reason,
                    state=AndonState.CLOSED,
                    note="w",
                    opened_at=at,
                    opened_by=agent,
                    team=team,
                    team_lead=team.lead if team else None,
                    closed_at=at + dt.timedelta(days=3),
                )
            )
        Andon.objects.bulk_create(andons, batch_size=500)
        for a, (agent, _p, at, evidence, verdict, _r) in zip(andons, self.andons, strict=True):
            pulls.append(CordPull(andon=a, agent=agent, note="w", pulled_at=at, credited=True))
            links.extend(AndonEvidence(andon=a, contact=self.contacts[e]) for e in evidence)
            if verdict:
                reviews.append(
                    PullReview(
                        andon=a,
                        reviewer=self.reviewer,
                        verdict=verdict,
                        root_cause="person" if verdict == "invalid" else "",
                        reviewed_at=at + dt.timedelta(days=1),
                        pulled_at=at,
                        agent=agent,
                        team=a.team,
                        team_lead=a.team_lead,
                    )
                )
                if verdict == "valid":
                    credits.append(
                        BonusCredit(
                            agent=agent,
                            andon=a,
                            amount=Decimal("50"),
                            credited_at=max(
                                at + dt.timedelta(days=1), self.now - dt.timedelta(days=30)
                            ),
                        )
                    )
        CordPull.objects.bulk_create(pulls, batch_size=500)
        AndonEvidence.objects.bulk_create(links, batch_size=500)
        PullReview.objects.bulk_create(reviews, batch_size=500)
        BonusCredit.objects.bulk_create(credits, batch_size=500)
        self.saved_andons = andons


def build(seed: int, customers: int = 1500) -> Truth:
    """Write the world into the current database; returns what was planted."""
    w = _World(seed, customers)
    w.andons = []  # type: ignore[attr-defined]
    w.people()
    w.catalogue()
    w.regular_life()
    w.fraudsters()
    w.heavy_buyers()
    w.clusters()
    w.bad_batch()
    w.new_customers()
    w.regular_pulls()
    w.staff()
    w.machines()
    w.save()
    bad = w.saved_andons[w.bad_batch_andon]
    w.truth.innocent.add(("andon", str(bad.pk)))
    w.truth.sabotaged_andons.add(str(w.saved_andons[w.sabotage_andon].pk))
    return w.truth


@dataclass
class Score:
    kind: str
    planted: int
    found: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.planted if self.planted else 1.0


def evaluate(truth: Truth, signals: list[tuple[str, str, str]]) -> tuple[list[Score], list]:
    """Precision and recall per kind on the main subject type, and the innocents named by any
    signal. `signals` holds (kind, subject_type, subject) at or above the worth-a-look score."""
    scores = []
    for kind in KINDS:
        found = {s for k, t, s in signals if k == kind and t == MAIN_SUBJECT[kind]}
        if kind == "account-cluster":
            tp = sum(
                1 for f in found if any(len(set(f.split(",")) & c) >= 2 for c in truth.clusters)
            )
            hit = sum(
                1 for c in truth.clusters if any(len(set(f.split(",")) & c) >= 2 for f in found)
            )
            scores.append(Score(kind, len(truth.clusters), len(found), min(tp, hit)))
        else:
            scores.append(
                Score(kind, len(truth.planted[kind]), len(found), len(found & truth.planted[kind]))
            )
    andons = {s for k, t, s in signals if t == "andon"}
    scores.append(
        Score(
            "account-cluster (andon evidence)",
            len(truth.sabotaged_andons),
            len(andons),
            len(andons & truth.sabotaged_andons),
        )
    )
    named = defaultdict(list)
    for k, t, s in signals:
        for ts in (t,):
            if ts == "account-cluster":
                for member in s.split(","):
                    if ("customer", member) in truth.innocent:
                        named[("customer", member)].append(k)
            elif (ts, s) in truth.innocent:
                named[(ts, s)].append(k)
    return scores, sorted(named.items())
