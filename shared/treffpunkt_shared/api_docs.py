"""The API documentation page at `/docs` (Swagger UI), without inline script.

FastAPI's own page starts Swagger UI with an inline `<script>`, which the pages' Content-Security-
Policy forbids. This page loads the same Swagger UI from its CDN and starts it from a script the
service serves, under a policy that allows exactly that CDN."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from .security_headers import content_security_policy

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
<title>{{title}}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

START = """SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true,
  showExtensions: true, showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def api_docs_router(title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    policy = content_security_policy(embed_origins=[], scripts=f"'self' {SWAGGER_UI}/", styles=f"'self' {SWAGGER_UI}/")
    page = PAGE.replace("{title}", title)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})

    @router.get("/docs/start.js")
    async def start() -> Response:
        return Response(START, media_type="text/javascript")

    return router
