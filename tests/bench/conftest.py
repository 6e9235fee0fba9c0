"""The integrations bench starts real processes on the test database, as the tests in
tests/integrations do: the same re-seeding of what a transactional test's flush removes."""

from tests.integrations.conftest import _seeded, pytest_runtest_teardown  # noqa: F401
