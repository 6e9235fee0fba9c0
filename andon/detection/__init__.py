"""Problem detection (SPEC capability 6, "The problem behind the words"): every contact of a
product is assigned to a problem from the customer's own words (Chinese, English, mixed) and
the reason code; problems drive the cord's suggestion and its problem rule, complaint-rate
alerts and shared causes across products. Owns problems, assignments and alerts; reads the
service desk, the catalogue and orders; never sits in the way of a contact or a pull.
"""
