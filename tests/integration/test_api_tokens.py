"""`lapor-ledger tokens`: create prints the token once, list never shows secrets, revoke bites."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.integration.api_support import ApiBackend, OnPostgres, OnSQLite


class TokensCommandBehaviour(ApiBackend):
    def test_create_list_revoke(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        created = runner.invoke(
            args=["tokens", "create", "--role", "liaison", "--agency", "kota-serang",
                  "--label", "Penghubung Kota Serang"],
        )  # fmt: skip
        assert created.exit_code == 0, created.output
        bearer = created.stdout.strip()
        assert bearer.startswith("lpr_") and len(bearer.splitlines()) == 1
        client = app.test_client()
        me = client.get("/v1/whoami", headers={"Authorization": f"Bearer {bearer}"})
        assert me.json == {
            "token_id": bearer.split("_")[1],
            "role": "liaison",
            "agency_id": "kota-serang",
            "label": "Penghubung Kota Serang",
        }
        listed = runner.invoke(args=["tokens", "list"])
        assert bearer.split("_")[1] in listed.stdout
        assert bearer.split("_", 2)[2] not in listed.output
        revoked = runner.invoke(args=["tokens", "revoke", bearer.split("_")[1]])
        assert revoked.exit_code == 0, revoked.output
        again = client.get("/v1/whoami", headers={"Authorization": f"Bearer {bearer}"})
        assert again.status_code == 401

    def test_agency_roles_need_a_known_agency(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        missing = runner.invoke(args=["tokens", "create", "--role", "admin_agency"])
        assert missing.exit_code == 2 and "--agency" in missing.output
        unknown = runner.invoke(
            args=["tokens", "create", "--role", "liaison", "--agency", "kota-atlantis"]
        )
        assert unknown.exit_code == 2 and "unknown agency" in unknown.output
        system = runner.invoke(args=["tokens", "create", "--role", "system"])
        assert system.exit_code == 2
        assert runner.invoke(args=["tokens", "revoke", "0000000000000000"]).exit_code == 2


class TestTokensCommandSQLite(OnSQLite, TokensCommandBehaviour):
    pass


@pytest.mark.postgres
class TestTokensCommandPostgres(OnPostgres, TokensCommandBehaviour):
    pass
