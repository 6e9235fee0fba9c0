"""Membership (SPEC capability 8; the talk: membership is the flywheel's accelerator). Owns
plans with their benefits, each customer's membership with its history (trial, active,
past due, cancelled, expired), enrolment from service recovery and the storefront, and the
renewal/expiry tick. The storefront applies member prices; Andon owns the records.
"""
