"""Holds: when the cord is pulled, all stock of the product in every warehouse and every order
line that is packed but not shipped is held; when the product is relisted, each hold is
released or disposed of (return to vendor, scrap, fix) as the work orders' findings say
(SPEC story, steps 2 and the relist).
"""
