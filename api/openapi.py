"""The flask-smorest Api: OpenAPI document at /openapi.json, browsable docs at /docs."""

from __future__ import annotations

import http
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException, NotFound

from api.problems import PROBLEM_JSON, http_error
from api.schemas.base import ProblemSchema

SETTINGS: dict[str, Any] = {
    "API_TITLE": "LAPOR! audit ledger",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Swagger UI's assets ship with the service (swagger-ui-bundle): /docs works on a closed
    # network. Relative to /docs, so a path prefix in front of the service keeps working.
    "OPENAPI_SWAGGER_UI_URL": "docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Append-only, hash-chained handling history of SP4N-LAPOR! reports "
                "(pengaduan, aspirasi, permintaan informasi, WBS). See docs/api.md."
            )
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "lapor-ledger tokens create --role ROLE [--agency ID]",
                }
            }
        },
    },
}


class LedgerApi(Api):
    """An Api whose errors are all problem details (application/problem+json)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_error(error)


SWAGGER_UI_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.get("/docs/assets/<name>")
def docs_asset(name: str) -> Response:
    """One of the Swagger UI files the /docs page loads; nothing else of the package."""
    if name not in SWAGGER_UI_FILES:
        return http_error(NotFound())
    return send_from_directory(str(swagger_ui_bundle.swagger_ui_path), name, max_age=86400)


def init_api(app: Flask) -> LedgerApi:
    """Create the Api and register every blueprint of /v1 and the health checks."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    api = LedgerApi(app)
    app.register_blueprint(docs_assets)
    from api.views import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return api
