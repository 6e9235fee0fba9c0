"""Bulk import by external ids: validate each row, resolve references set-based, and write
only what changed with one upsert per chunk (INSERT ... ON CONFLICT DO UPDATE).

Contract: idempotent (the same rows again: everything `unchanged`, nothing written); a bad
row is rejected with its row number, field and reason while the good rows go in; a chunk of
rows is one transaction, so a long file never holds the outbox horizon back for long. An
import never touches a product's listing status (only the cord does, and the watch of a staged
relist: an imported complaint in the watch stops the product again as a live one does), never
pulls the cord (imported contacts are evidence, nothing more) and never changes what an open
andon holds:
the fulfilment status, quantity, product or batch of an order line on hold, or the quantity
of stock on hold. Stock and order lines are written by the same syncs as the API's
(integrations.syncs: listing locks first, the holds' rule, the catch-up of holds), so a pull
placing holds at the same moment waits for the chunk and then holds what it wrote.
Imports write no outbox events: they load the storefront's own state, which it already knows
(except `memberships`, which emits `membership.*` as its PUT does: see import_memberships).
Imported contacts are assigned to problems after the chunks, the whole file at once
(andon.detection: a failure there never fails the import; `andon detection pending` catches up).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import TypeAdapter, ValidationError

from andon.catalog.models import Batch, Product, Warehouse
from andon.contacts.models import Contact, ReasonCode
from andon.contacts.rules import text_problem
from andon.core.errors import InvalidInput
from andon.core.sql import any_of
from andon.holds.errors import LineOnHold, StockOnHold
from andon.integrity.tasks import rows_imported as integrity_changed
from andon.membership.days import orders_mark_moved
from andon.orders.models import Customer, Order, OrderLine
from andon.orders.rules import address_key, normalise_city_display
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .import_history import andon_history
from .import_memberships import memberships
from .import_rows import ROWS, Row
from .syncs import LineRow, StockRow, lines_sync, stock_sync
from .upserts import Tally, ids_by, merge, upsert

CHUNK = 1000


@dataclass(frozen=True)
class Rejected:
    row: int
    field: str
    reason: str


@dataclass
class ImportResult(Tally):
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, row: int, field_: str, reason: str) -> None:
        self.rejected.append(Rejected(row, field_, reason))


Parsed = list[tuple[int, Any]]


def rows_import(
    *,
    actor: User | None,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    first_row: int = 1,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import `rows` of `kind` (see import_rows.ROWS); `first_row` numbers the first one.
    `actor`: who imports (integrators and admins may); None: the machine's operator, through
    `andon import`."""
    if actor is not None:
        actor_require(
            actor, people_rules.may_load_catalog, gettext("Only integrators and admins import.")
        )
    if actor is not None and kind == "people":
        # Roles and teams are access rights: only an admin loads them.
        actor_require(actor, people_rules.may_configure, gettext("Only admins import people."))
    if kind not in ROWS:
        raise InvalidInput(
            gettext("Unknown kind '%(kind)s'; one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ROWS)},
            field="kind",
        )
    result = ImportResult()
    with _collector_paused():
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            parsed = _validate(ROWS[kind], part, first_row + start, result)
            with transaction.atomic():
                HANDLERS[kind](parsed, result, actor.pk if actor is not None else None)
            if progress:
                progress(len(part))
    if kind == "contacts":
        # Imported here: detection (numpy, the model) is loaded by the imports that need it,
        # so the other kinds start in under a second.
        from andon.detection.services import contacts_assign_imported

        contacts_assign_imported(
            external_ids=[
                str(v).strip()
                for r in rows
                if isinstance(r, Mapping)
                for k, v in r.items()
                if str(k).strip().lower() == "external_id" and v is not None
            ]
        )
    result.rejected.sort(key=lambda r: r.row)
    # Only rows that are objects name what they touch (the others were rejected).
    integrity_changed(kind, [r for r in rows if isinstance(r, Mapping)])
    return result


class _CollectorPause:
    """Python's cycle collector off while an import's chunks run. An import allocates a few
    objects per cell, and each full collection walks every object of the process (Django,
    the file's rows): measured, a quarter to a third of an order-lines import's CPU in this
    process, 40% of a replay's (bench/RESULTS.md). What an import allocates is freed by
    reference counting; the few cycles left wait for the collector, on again when the last
    running import ends (imports in other threads share the switch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._was_enabled:
                    gc.enable()


_collector_paused = _CollectorPause()


def _validate(
    schema: type[Row], rows: Sequence[Mapping[str, Any]], first: int, result: ImportResult
) -> Parsed:
    numbered: list[tuple[int, dict[str, Any]]] = []
    for n, raw in enumerate(rows, start=first):
        if not isinstance(raw, Mapping):
            result.reject(n, "row", gettext("A row must be an object of column: value."))
            continue
        # An empty cell means "not given": the column's default applies.
        numbered.append(
            (
                n,
                {
                    str(k).strip().lower(): v
                    for k, v in raw.items()
                    if k is not None and v is not None and v != ""
                },
            )
        )
    # The whole chunk in one call (several times faster than a call per row); its errors
    # name the row by its index, so each bad row is rejected with the first error of its
    # own, as a call per row would, and the good rows are validated again without them.
    many = _LIST_ADAPTERS.get(schema)
    if many is None:
        many = _LIST_ADAPTERS[schema] = TypeAdapter(list[schema])  # type: ignore[valid-type]
    try:
        return _numbered(many, numbered)
    except ValidationError as exc:
        first_error: dict[int, Any] = {}
        for err in exc.errors():
            first_error.setdefault(int(err["loc"][0]), err)
    for i, err in sorted(first_error.items()):
        loc = ".".join(str(p) for p in err["loc"][1:]) or "row"
        result.reject(numbered[i][0], loc, err["msg"])
    good = [item for i, item in enumerate(numbered) if i not in first_error]
    return _numbered(many, good)


def _numbered(many: TypeAdapter[list[Any]], rows: list[tuple[int, dict[str, Any]]]) -> Parsed:
    return list(zip((n for n, _ in rows), many.validate_python([c for _, c in rows]), strict=True))


_LIST_ADAPTERS: dict[type[Row], TypeAdapter[list[Any]]] = {}


def _unique(
    rows: Parsed, key: Callable[[Any], Hashable], result: ImportResult, name: str
) -> Parsed:
    """The first row of a key wins; a repeat in the same import is rejected, not guessed."""
    seen: dict[Hashable, int] = {}
    out: Parsed = []
    for n, r in rows:
        k = key(r)
        if k in seen:
            result.reject(
                n,
                name,
                gettext("Same %(column)s as row %(row)s.") % {"column": name, "row": seen[k]},
            )
            continue
        seen[k] = n
        out.append((n, r))
    return out


def _warehouses(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: r.code, result, "code")
    existing = Warehouse.objects.in_bulk([r.code for _, r in rows], field_name="code")
    upsert(
        Warehouse,
        ((r.code, {"code": r.code, "name": r.name}) for _, r in rows),
        existing,
        ["code"],
        result,
    )


def _products(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: r.sku, result, "sku")
    existing = Product.objects.in_bulk([r.sku for _, r in rows], field_name="sku")
    upsert(
        Product,
        (
            (
                r.sku,
                {"sku": r.sku, "title": r.title, "price": r.price, "monthly_gmv": r.monthly_gmv},
            )
            for _, r in rows
        ),
        existing,
        ["sku"],
        result,
        touch=("updated_at",),
    )


def _product_ids(rows: Parsed, result: ImportResult) -> tuple[Parsed, dict[str, int]]:
    ids = ids_by(Product, "sku", {r.sku for _, r in rows})
    known = []
    for n, r in rows:
        if r.sku in ids:
            known.append((n, r))
        else:
            result.reject(n, "sku", gettext("No product with SKU '%(sku)s'.") % {"sku": r.sku})
    return known, ids


def _batches(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows, pids = _product_ids(_unique(rows, lambda r: (r.sku, r.code), result, "code"), result)
    existing = {
        (b.product_id, b.code): b
        for b in Batch.objects.filter(
            product_id__in=pids.values(), code__in={r.code for _, r in rows}
        )
    }
    upsert(
        Batch,
        (
            (
                (pids[r.sku], r.code),
                {
                    "product_id": pids[r.sku],
                    "code": r.code,
                    "supplier": r.supplier,
                    "manufacturer": r.manufacturer,
                    "received_at": r.received_at,
                },
            )
            for _, r in rows
        ),
        existing,
        ["product", "code"],
        result,
    )


def _batch_ids(pids: Iterable[int], codes: set[str]) -> dict[tuple[int, str], int]:
    return {
        (p, c): i
        for i, p, c in Batch.objects.filter(
            any_of(Batch, "product", set(pids)), any_of(Batch, "code", codes)
        ).values_list("id", "product_id", "code")
    }


def _stock(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: (r.sku, r.warehouse, r.batch), result, "batch")
    rows, pids = _product_ids(rows, result)
    whs = dict(
        Warehouse.objects.filter(
            any_of(Warehouse, "code", {r.warehouse for _, r in rows})
        ).values_list("code", "id")
    )
    bids = _batch_ids(pids.values(), {r.batch for _, r in rows})
    stock: dict[int, tuple[Any, StockRow]] = {}
    for n, r in rows:
        bid = bids.get((pids[r.sku], r.batch))
        if r.warehouse not in whs:
            result.reject(
                n,
                "warehouse",
                gettext("No warehouse with code '%(code)s'.") % {"code": r.warehouse},
            )
        elif bid is None:
            result.reject(
                n,
                "batch",
                gettext("Product %(sku)s has no batch '%(batch)s'.")
                % {"sku": r.sku, "batch": r.batch},
            )
        else:
            stock[n] = (r, StockRow(pids[r.sku], whs[r.warehouse], bid, r.quantity))

    def refuse(n: int, field_: str) -> None:
        r = stock[n][0]
        e = StockOnHold.of(sku=r.sku, warehouse=r.warehouse, batch=r.batch, field=field_)
        result.reject(n, field_, e.detail)

    # The same write as the API's (held stock is refused; new stock of a stopped product is
    # held by its open andons), in this chunk's transaction.
    stock_sync(
        rows={n: row for n, (_, row) in stock.items()},
        refuse=refuse,
        actor_id=actor_id,
        tally=result,
    )


_INTEGRITY_COLUMNS = frozenset({"registered_at", "address", "city", "device_id"})


def _customer_values(r: Any, with_integrity: bool) -> dict[str, Any]:
    """A customer row's columns; the city and address key are normalised as the model's save
    would (a bulk upsert does not call it). A file that has none of the integrity columns
    (registration, address, device) leaves what an earlier sync wrote there untouched."""
    values = {"external_id": r.external_id, "name": r.name, "phone": r.phone, "email": r.email}
    if with_integrity:
        city = normalise_city_display(r.city)
        values |= {
            "registered_at": r.registered_at,
            "address": r.address,
            "city": city,
            "address_key": address_key(r.address, city),
            "device_id": r.device_id,
        }
    return values


def _customers(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: r.external_id, result, "external_id")
    with_integrity = any(_INTEGRITY_COLUMNS & r.model_fields_set for _, r in rows)
    if connection.vendor == "postgresql":
        # One set-based merge per chunk (upserts.merge): nothing read first.
        merge(
            Customer,
            [_customer_values(r, with_integrity) for _, r in rows],
            ["external_id"],
            result,
        )
        return
    existing = Customer.objects.in_bulk([r.external_id for _, r in rows], field_name="external_id")
    upsert(
        Customer,
        (
            (
                r.external_id,
                _customer_values(r, with_integrity),
            )
            for _, r in rows
        ),
        existing,
        ["external_id"],
        result,
    )


def _orders(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: (r.order, r.line_no), result, "line_no")
    custs = ids_by(Customer, "external_id", {r.customer for _, r in rows})
    headers: dict[str, dict[str, Any]] = {}
    for n, r in rows:
        if r.customer not in custs:
            result.reject(
                n,
                "customer",
                gettext("No customer with external id '%(id)s'.") % {"id": r.customer},
            )
        elif r.order not in headers:
            headers[r.order] = {
                "external_id": r.order,
                "customer_id": custs[r.customer],
                "placed_at": r.placed_at,
                "channel": r.channel,
            }
    rows = [(n, r) for n, r in rows if r.order in headers]
    # The member figures' day summaries of new or moved orders (their lines mark their own in
    # lines_sync).
    orders_mark_moved(
        headers={ext: (h["placed_at"], h["customer_id"]) for ext, h in headers.items()}
    )
    if connection.vendor == "postgresql":
        # The merge gives back every order's id: no lookup after it.
        oids = merge(Order, list(headers.values()), ["external_id"], None, with_ids=True)
    else:
        upsert(
            Order,
            headers.items(),
            Order.objects.in_bulk(list(headers), field_name="external_id"),
            ["external_id"],
            None,
        )
        oids = ids_by(Order, "external_id", headers)
    rows, pids = _product_ids(rows, result)
    whs = ids_by(Warehouse, "code", {r.warehouse for _, r in rows if r.warehouse})
    bids = _batch_ids(pids.values(), {r.batch for _, r in rows if r.batch})
    lines: dict[int, tuple[Any, LineRow]] = {}
    for n, r in rows:
        bid = bids.get((pids[r.sku], r.batch)) if r.batch else None
        if r.warehouse and r.warehouse not in whs:
            result.reject(
                n,
                "warehouse",
                gettext("No warehouse with code '%(code)s'.") % {"code": r.warehouse},
            )
        elif r.batch and bid is None:
            result.reject(
                n,
                "batch",
                gettext("Product %(sku)s has no batch '%(batch)s'.")
                % {"sku": r.sku, "batch": r.batch},
            )
        else:
            lines[n] = (
                r,
                LineRow(
                    order_id=oids[r.order],
                    line_no=r.line_no,
                    product_id=pids[r.sku],
                    batch_id=bid,
                    warehouse_id=whs.get(r.warehouse) if r.warehouse else None,
                    quantity=r.quantity,
                    unit_price=r.unit_price,
                    status=r.status,
                ),
            )

    def refuse(n: int, field_: str) -> None:
        r = lines[n][0]
        e = LineOnHold.of(order=r.order, line_no=r.line_no, field=field_)
        result.reject(n, field_, e.detail)

    # The same write as the API's (a held line is refused; a line packed while its product is
    # stopped is held at once), in this chunk's transaction.
    lines_sync(
        rows={n: row for n, (_, row) in lines.items()},
        refuse=refuse,
        actor_id=actor_id,
        tally=result,
    )


# Who, where and why of a contact are its evidence (an andon may cite it): an import may
# correct the text, channel and handling time of a contact, never these.
CONTACT_FIXED = ("customer_id", "order_line_id", "reason_id", "agent_id", "created_at")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of other systems drift a little


def _contacts(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = _unique(rows, lambda r: r.external_id, result, "external_id")
    custs = dict(
        Customer.objects.filter(external_id__in={r.customer for _, r in rows}).values_list(
            "external_id", "id"
        )
    )
    orders = {
        ext: (oid, cid)
        for ext, oid, cid in Order.objects.filter(
            external_id__in={r.order for _, r in rows}
        ).values_list("external_id", "id", "customer_id")
    }
    lines = {
        (oid, no): (lid, pid)
        for lid, oid, no, pid in OrderLine.objects.filter(
            order_id__in=[o for o, _ in orders.values()]
        ).values_list("id", "order_id", "line_no", "product_id")
    }
    reasons = dict(
        ReasonCode.objects.filter(code__in={r.reason for _, r in rows}).values_list("code", "id")
    )
    agents = dict(
        get_user_model()
        .objects.filter(username__in={r.agent for _, r in rows}, is_active=True)
        .values_list("username", "id")
    )
    existing = Contact.objects.in_bulk([r.external_id for _, r in rows], field_name="external_id")
    latest = timezone.now() + FUTURE_TOLERANCE
    items = []
    for n, r in rows:
        at = r.created_at if timezone.is_aware(r.created_at) else timezone.make_aware(r.created_at)
        order = orders.get(r.order)
        line = lines.get((order[0], r.line_no)) if order else None
        if r.customer not in custs:
            result.reject(
                n,
                "customer",
                gettext("No customer with external id “%(id)s”.") % {"id": r.customer},
            )
        elif order is None:
            result.reject(n, "order", gettext("No order “%(order)s”.") % {"order": r.order})
        elif order[1] != custs[r.customer]:
            result.reject(
                n,
                "customer",
                gettext("Order “%(order)s” belongs to another customer than “%(customer)s”.")
                % {"order": r.order, "customer": r.customer},
            )
        elif line is None:
            result.reject(
                n,
                "line_no",
                gettext("Order “%(order)s” has no line %(line)s.")
                % {"order": r.order, "line": r.line_no},
            )
        elif (problem := text_problem(r.text)) is not None:
            result.reject(n, "text", problem)
        elif r.reason not in reasons:
            result.reject(n, "reason", gettext("No reason code “%(code)s”.") % {"code": r.reason})
        elif r.agent not in agents:
            result.reject(
                n, "agent", gettext("No active user “%(username)s”.") % {"username": r.agent}
            )
        elif at > latest:
            result.reject(n, "created_at", gettext("A contact cannot be recorded in the future."))
        else:
            values = {
                "external_id": r.external_id,
                "created_at": at,
                "customer_id": custs[r.customer],
                "order_line_id": line[0],
                "product_id": line[1],
                "reason_id": reasons[r.reason],
                "agent_id": agents[r.agent],
                "text": r.text,
                "channel": r.channel,
                "handling_seconds": r.handling_seconds,
            }
            current = existing.get(r.external_id)
            changed = [
                f for f in CONTACT_FIXED if current is not None and getattr(current, f) != values[f]
            ]
            if changed:
                result.reject(
                    n,
                    changed[0].removesuffix("_id"),
                    gettext(
                        "Contact “%(id)s” was recorded with another %(field)s; the customer, "
                        "order line, reason, agent and time of a contact do not change."
                    )
                    % {"id": r.external_id, "field": changed[0].removesuffix("_id")},
                )
            else:
                items.append((r.external_id, values))
    upsert(Contact, items, existing, ["external_id"], result, touch=("changed_at",))
    # A complaint on a product in a staged relist's watch stops it again, in the chunk's
    # transaction, as a contact recorded live does (one query when none is concerned). Imported
    # here: pulls.watch loads detection (numpy, the model), which only contacts need.
    from andon.pulls.watch import watch_contacts_imported

    watch_contacts_imported(external_ids=[e for e, _ in items], actor_id=actor_id)


def _people(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    """Accounts, roles, teams and leads, set-based: one upsert of the accounts (new ones with
    no usable password), one of the teams, one of the profiles, and the role groups replaced
    in two statements. A lead must be in the file or already have an account."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from andon.people.models import Profile, Team
    from andon.people.rules import GROUP_ROLES

    rows = _unique(rows, lambda r: r.username, result, "username")
    User = get_user_model()
    in_file = {r.username for _, r in rows}
    known = set(
        User.objects.filter(username__in={r.team_lead for _, r in rows if r.team_lead}).values_list(
            "username", flat=True
        )
    )
    good = []
    for n, r in rows:
        if r.team_lead and r.team_lead not in in_file | known:
            result.reject(
                n,
                "team_lead",
                gettext("No person '%(u)s' in the file or in Andon.") % {"u": r.team_lead},
            )
        elif r.team_lead and not r.team:
            result.reject(n, "team", gettext("A team lead is given for a team: name the team."))
        else:
            good.append((n, r))
    existing = User.objects.in_bulk([r.username for _, r in good], field_name="username")
    new = [
        User(username=r.username, password=make_password(None), is_active=True)
        for _, r in good
        if r.username not in existing
    ]
    User.objects.bulk_create(new, batch_size=500)
    users = User.objects.in_bulk(in_file | known, field_name="username")
    profiles = {p.user_id: p for p in Profile.objects.filter(user__in=users.values())}
    # Teams: created by code, their lead set when the file names one.
    leads = {r.team: r.team_lead for _, r in good if r.team and r.team_lead}
    codes = {r.team for _, r in good if r.team}
    teams = {t.code: t for t in Team.objects.filter(code__in=codes)}
    Team.objects.bulk_create(
        [Team(code=c, name_zh=c, name_en=c) for c in sorted(codes - set(teams))], batch_size=500
    )
    teams = {t.code: t for t in Team.objects.filter(code__in=codes)}
    changed_teams = [t for c, t in teams.items() if c in leads and t.lead_id != users[leads[c]].pk]
    for t in changed_teams:
        t.lead_id = users[leads[t.code]].pk
    Team.objects.bulk_update(changed_teams, ["lead"], batch_size=500)
    # Role groups: each imported person holds exactly the role of their row.
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in GROUP_ROLES])}
    for role in GROUP_ROLES:
        if role.value not in groups:
            groups[role.value] = Group.objects.create(name=role.value)
    current = set(
        User.groups.through.objects.filter(
            user__in=[users[r.username] for _, r in good], group__name__in=list(groups)
        ).values_list("user_id", "group__name")
    )
    created_names = {u.username for u in new}
    for _n, r in good:
        uid = users[r.username].pk
        p = profiles.get(uid)
        team_id = teams[r.team].pk if r.team else None
        if r.username in created_names:
            result.created += 1
        elif (
            p is not None
            and p.display_name == r.display_name
            and p.team_id == team_id
            and current & {(uid, g) for g in groups} == {(uid, r.role)}
            and (r.team not in leads or not any(t.code == r.team for t in changed_teams))
        ):
            result.unchanged += 1
        else:
            result.updated += 1
    User.groups.through.objects.filter(
        user__in=[users[r.username] for _, r in good], group__name__in=list(groups)
    ).delete()
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=users[r.username].pk, group_id=groups[r.role].pk)
            for _, r in good
        ],
        batch_size=500,
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=users[r.username].pk,
                display_name=r.display_name,
                team_id=teams[r.team].pk if r.team else None,
            )
            for _, r in good
        ],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["display_name", "team"],
        batch_size=500,
    )


HANDLERS: dict[str, Callable[[Parsed, ImportResult, int | None], None]] = {
    "warehouses": _warehouses,
    "products": _products,
    "batches": _batches,
    "stock": _stock,
    "customers": _customers,
    "orders": _orders,
    "contacts": _contacts,
    "people": _people,
    "andon-history": andon_history,
}
HANDLERS["memberships"] = memberships
