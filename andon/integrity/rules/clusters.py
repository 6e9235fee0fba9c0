"""Account clusters and sabotage: new accounts that share a phone, address or device and
report one product within hours; the andon whose reporters they are; the product they target."""

from __future__ import annotations

from dataclasses import dataclass

from .common import (
    CLUSTER_MIN_ACCOUNTS,
    CLUSTER_NEW_ACCOUNT,
    Finding,
    Kind,
    Reason,
    SubjectType,
    score_of,
)


@dataclass(frozen=True)
class ClusterReport:
    """Accounts that share something (phone, address or device) and reported one product
    within the window."""

    product: str
    customers: tuple[str, ...]
    shared: tuple[str, ...]  # which attributes: "phone", "address", "device"
    new_accounts: int  # registered < CLUSTER_NEW_ACCOUNT hours before their report
    reporters: int  # every distinct reporter of the product in the window
    hours: float  # from the first to the last report of the cluster
    contacts: tuple[int, ...]


def account_cluster(c: ClusterReport) -> Finding | None:
    """A household sharing an address complains too: it takes new accounts, not only a shared
    address, to look like an organised campaign."""
    n = len(c.customers)
    if n < CLUSTER_MIN_ACCOUNTS or c.new_accounts < CLUSTER_MIN_ACCOUNTS:
        return None
    share = c.new_accounts / n
    reasons = [
        Reason(
            "cluster.shared",
            {
                "accounts": n,
                "shared": list(c.shared),
                "product": c.product,
                "hours": max(1, round(c.hours)),
            },
        ),
        Reason(
            "cluster.new",
            {"new": c.new_accounts, "accounts": n, "days": CLUSTER_NEW_ACCOUNT // 24},
        ),
    ]
    if c.reporters:
        reasons.append(Reason("cluster.reporters", {"accounts": n, "reporters": c.reporters}))
    strength = share * (n / CLUSTER_MIN_ACCOUNTS) * (1 + 0.25 * (len(c.shared) - 1))
    return Finding(
        Kind.ACCOUNT_CLUSTER,
        SubjectType.ACCOUNT_CLUSTER,
        ",".join(c.customers),
        score_of(strength),
        reasons,
        {
            "product": c.product,
            "customers": list(c.customers),
            "shared": list(c.shared),
            "new_accounts": c.new_accounts,
            "reporters_of_product": c.reporters,
            "hours": round(c.hours, 1),
            "contacts": list(c.contacts),
        },
    )


@dataclass(frozen=True)
class AndonEvidence:
    andon_id: int
    product: str
    reporters: int
    new_reporters: int
    sharing: int  # reporters that share a phone, address or device with another reporter
    shared: tuple[str, ...]


def andon_evidence(e: AndonEvidence) -> Finding | None:
    """The pull review's view of one andon: how many of its reporters are new accounts that
    share an address, phone or device ("2 of 3 reporters registered < 48 h ago ...")."""
    suspicious = min(e.new_reporters, e.sharing)
    if suspicious < CLUSTER_MIN_ACCOUNTS:
        return None
    share = suspicious / max(e.reporters, 1)
    return Finding(
        Kind.ACCOUNT_CLUSTER,
        SubjectType.ANDON,
        str(e.andon_id),
        score_of(2 * share),
        [
            Reason(
                "andon.cluster",
                {
                    "suspicious": suspicious,
                    "reporters": e.reporters,
                    "days": CLUSTER_NEW_ACCOUNT // 24,
                    "shared": list(e.shared),
                },
            )
        ],
        {
            "product": e.product,
            "reporters": e.reporters,
            "new_reporters": e.new_reporters,
            "sharing_reporters": e.sharing,
            "shared": list(e.shared),
        },
    )


def product_targeted(product: str, clusters: list[Finding]) -> Finding | None:
    """Sabotage seen from the product's side: the account clusters that reported it, as one
    finding on the product (as strong as its strongest cluster), so that whoever looks at
    the product or its andon sees that it is being targeted, and by how many accounts."""
    if not clusters:
        return None
    accounts = sorted({c for f in clusters for c in f.evidence["customers"]})
    return Finding(
        Kind.ACCOUNT_CLUSTER,
        SubjectType.PRODUCT,
        product,
        max(f.score for f in clusters),
        [
            Reason(
                "product.targeted",
                {"clusters": len(clusters), "accounts": len(accounts), "product": product},
            )
        ],
        {
            "product": product,
            "clusters": sorted(f.subject for f in clusters),
            "accounts": len(accounts),
        },
    )
