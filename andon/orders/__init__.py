"""Orders: customers, orders and order lines with their fulfilment status (placed, packed,
shipped, delivered, returned), each line naming product, batch and warehouse (SPEC
capability 1). A line on hold cannot ship: whether it is held is the holds' own
record (holds.selectors.held_line_ids), never a flag written on every line a pull holds.
"""
