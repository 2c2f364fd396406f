"""/docs (Swagger UI) loads only assets the service itself serves: it works on a closed network."""

from __future__ import annotations

import re

from tests.integration.api_support import Api, ApiBackend, OnSQLite


class TestDocsAssets(OnSQLite, ApiBackend):
    def test_docs_page_loads_its_assets_from_the_service(self, api: Api) -> None:
        page = api.client.get("/docs")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert len(sources) == 3, sources
        for source in sources:
            assert not source.startswith(("http:", "https:", "//", "/")), source
            with api.client.get("/" + source) as asset:  # relative to /docs: from the root
                assert asset.status_code == 200, source
                kind = "text/css" if source.endswith(".css") else "text/javascript"
                assert asset.content_type.startswith(kind), (source, asset.content_type)
                assert len(asset.get_data()) > 100_000

    def test_only_the_swagger_ui_files_are_served(self, api: Api) -> None:
        for name in ("index.html", "swagger-initializer.js", "..%2fapi.py"):
            with api.client.get(f"/docs/assets/{name}") as response:
                assert response.status_code == 404
                assert response.content_type == "application/problem+json"
