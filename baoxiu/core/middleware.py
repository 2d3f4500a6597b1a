"""Security headers for every response.

The Content Security Policy allows scripts only from our own origin (no inline
scripts, no eval): htmx and our two small scripts are static files. Inline
``style`` attributes are allowed. The API docs page (Swagger UI, shipped by
django-ninja) starts itself with an inline script, so that one path gets a
policy that admits inline scripts and nothing else from outside.
"""

from __future__ import annotations

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
DOCS_PATH = "/api/v1/docs"
# Geolocation only for our own pages (the technician's en-route sharing).
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = DOCS_CSP if request.path.startswith(DOCS_PATH) else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
