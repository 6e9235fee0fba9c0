"""The JSON API under /api/v1 (django-ninja, OpenAPI at /api/v1/openapi.json): an interface
layer above every domain, so that one route may call the cord's cross-domain services. Routes
parse, check the token, call one service or selector and serialise; errors leave as RFC 9457
problem details; POST and PATCH honour an Idempotency-Key.
"""
