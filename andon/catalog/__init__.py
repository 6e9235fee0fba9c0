"""Catalog: products with their listing status (active / suppressed), batches with supplier
and printer/manufacturer, warehouses and stock per warehouse and batch (SPEC capability 1).
The cord suppresses and relists listings only through `services.py` here.
"""
