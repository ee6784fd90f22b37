"""The migrations build exactly the schema the models describe, on every backend."""

from tickit import migrations


def test_autogenerate_finds_no_difference_between_models_and_migrations(engine):
    assert migrations.pending_differences(engine) == []


def test_upgrade_head_is_idempotent(engine):
    migrations.upgrade(engine)
    assert migrations.pending_differences(engine) == []
