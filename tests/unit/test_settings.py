"""Settings: typed, prefixed, validated, and secrets generated once (no I/O beyond tmp_path)."""
from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from deploy.local import stack
from settings import Settings, load_settings


def test_defaults_point_at_the_local_stack_on_loopback(tmp_path):
    s = Settings(home=tmp_path)
    assert s.kafka_bootstrap == "127.0.0.1:19092"
    assert s.managed_components == ["postgres", "redis", "mongo", "kafka", "s3", "smtp"]
    assert s.s3_endpoint_url == "http://127.0.0.1:19000"


def test_environment_overrides_with_the_soems_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("SOEMS_KAFKA_HOST", "kafka.internal")
    monkeypatch.setenv("SOEMS_KAFKA_PORT", "9092")
    monkeypatch.setenv("SOEMS_STACK_COMPONENTS", "redis, postgres")
    s = Settings(home=tmp_path)
    assert s.kafka_bootstrap == "kafka.internal:9092"
    assert s.managed_components == ["postgres", "redis"], "kept in start order"


def test_credentials_are_quoted_in_connection_strings(tmp_path):
    s = Settings(home=tmp_path, postgres_password="p@ss/word:1", redis_password="r#1")
    assert s.postgres_dsn == "postgresql://soems:p%40ss%2Fword%3A1@127.0.0.1:15432/soems"
    assert s.redis_url == "redis://:r%231@127.0.0.1:16379/0"


@pytest.mark.parametrize("field,value,message", [
    ("redis_port", 0, "between 1 and 65535"),
    ("kafka_port", 70000, "between 1 and 65535"),
    ("stack_components", "kafka,cassandra", "unknown component"),
])
def test_bad_values_are_refused_naming_the_field(tmp_path, field, value, message):
    with pytest.raises(ValidationError) as err:
        Settings(home=tmp_path, **{field: value})
    assert err.value.errors()[0]["loc"] == (field,)
    assert message in str(err.value)


def test_local_secrets_are_generated_once_and_private(monkeypatch, tmp_path):
    for key in stack.GENERATED_SECRETS:
        monkeypatch.delenv(key, raising=False)
    first = stack.ensure_secrets(load_settings(home=tmp_path))
    assert len(first.postgres_password) >= 24 and first.postgres_password != first.redis_password
    assert stat.S_IMODE(first.secrets_file.stat().st_mode) == 0o600
    second = stack.ensure_secrets(load_settings(home=tmp_path))
    assert second.postgres_password == first.postgres_password
    assert second.s3_secret_key == first.s3_secret_key


def test_the_environment_wins_over_generated_secrets(monkeypatch, tmp_path):
    stack.ensure_secrets(load_settings(home=tmp_path))
    monkeypatch.setenv("SOEMS_POSTGRES_PASSWORD", "from-the-environment")
    assert load_settings(home=tmp_path).postgres_password == "from-the-environment"
