"""Andon: the customer's voice stops the line.

Two customers report the same problem with the same product; a frontline agent pulls the
cord; the product stops selling, its stock and packed orders are held, the departments that
caused the problem get work orders, and the product sells again only when every work order
is fixed and confirmed. See SPEC.md (shared) and README.md.
"""

__version__ = "0.1.0"
