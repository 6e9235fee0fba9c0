"""Orders: customers, orders and order lines with their fulfilment status (placed, packed,
shipped, delivered, returned), each line naming product, batch and warehouse (SPEC
capability 1). A line on hold cannot ship: the cord's holds set `on_hold`.
"""
