"""Transparency-log settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.settings import DatabaseUrl, Settings, SettingsError
from ledger.tlog import TlogConfig, WitnessConfigError
from ledger.tlog.notes import COSIGNATURE_V1, verifier_key

SETTINGS = Settings(DatabaseUrl.parse("sqlite:///var/x.sqlite3"), "lapor.go.id/ledger", Path("k"))


def vkey(name: str) -> str:
    public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    return verifier_key(name, COSIGNATURE_V1, public).vkey


def test_defaults() -> None:
    config = TlogConfig.from_env(SETTINGS, {})
    assert (config.origin, config.key_dir, config.interval_s) == (
        "lapor.go.id/ledger",
        Path("k/log"),
        0.5,
    )
    assert config.policy().quorum == 0 and config.policy().witnesses == ()
    assert config.signing and config.create_dev_keys


def test_a_node_that_never_signs() -> None:
    config = TlogConfig.from_env(SETTINGS, {"LEDGER_TLOG_SIGNING": "off"})
    assert not config.signing and not config.create_dev_keys


def test_witnesses_quorum_interval_and_key_folder() -> None:
    a, b, c = vkey("a.example"), vkey("b.example"), vkey("c.example")
    env = {
        "LEDGER_WITNESS_VKEYS": f"{a}\n{b}  {c}",
        "LEDGER_TLOG_INTERVAL": "1.5",
        "LEDGER_TLOG_KEY_DIR": "/etc/lapor/log-keys",
    }
    config = TlogConfig.from_env(SETTINGS, env)
    assert config.witness_vkeys == (a, b, c) and config.key_dir == Path("/etc/lapor/log-keys")
    assert config.interval_s == 1.5 and config.policy().quorum == 2
    assert TlogConfig.from_env(SETTINGS, {**env, "LEDGER_WITNESS_QUORUM": "3"}).policy().quorum == 3


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"LEDGER_WITNESS_QUORUM": "two"}, SettingsError),
        ({"LEDGER_TLOG_INTERVAL": "0"}, SettingsError),
        ({"LEDGER_TLOG_SIGNING": "no"}, SettingsError),
        ({"LEDGER_WITNESS_VKEYS": "not-a-vkey"}, WitnessConfigError),
    ],
    ids=["quorum-not-a-number", "interval-zero", "signing-not-on-off", "bad-vkey"],
)
def test_bad_settings_are_refused(env: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        TlogConfig.from_env(SETTINGS, env).policy()
