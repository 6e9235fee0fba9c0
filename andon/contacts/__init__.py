"""Service desk: contacts (a customer's report on an order line, with a reason code and free
text in any language) and the configurable reason-code taxonomy with its thresholds and its
routing to departments (SPEC capability 2). Service recovery arrives in a later issue.
"""
