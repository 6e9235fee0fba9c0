"""The assignment's problem is checked when the assignment is written, not at commit
(PostgreSQL): a re-grouping that deletes the problem an intake has just chosen then fails the
intake's assignment inside its savepoint, and the contact is recorded all the same, where a
check deferred to the commit would roll the contact back with it. SQLite serialises writers,
so the race cannot happen there and its constraint is left as Django made it.

Django names the constraint itself; it is found by its column. If a later migration alters
`Assignment.problem`, Django recreates the constraint deferred: tests/detection/
test_intake_race.py fails then, and this has to be done again."""

from django.db import migrations


def _constraint(schema_editor) -> str | None:
    with schema_editor.connection.cursor() as cur:
        found = schema_editor.connection.introspection.get_constraints(cur, "detection_assignment")
    return next(
        (
            name
            for name, c in found.items()
            if c["foreign_key"] == ("detection_problem", "id") and c["columns"] == ["problem_id"]
        ),
        None,
    )


def _alter(how: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        name = _constraint(schema_editor)
        if name is not None:
            schema_editor.execute(
                f"ALTER TABLE detection_assignment ALTER CONSTRAINT "
                f"{schema_editor.quote_name(name)} {how}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("detection", "0003_outbox_place_in_core")]

    operations = [
        migrations.RunPython(
            _alter("NOT DEFERRABLE"), _alter("DEFERRABLE INITIALLY DEFERRED"), elidable=False
        )
    ]
