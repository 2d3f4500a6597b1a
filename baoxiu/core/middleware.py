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


class StaffSessionTimeoutMiddleware:
    """Staff sessions end after ``STAFF_IDLE_MINUTES`` without a request, and
    ``STAFF_SESSION_HOURS`` after login whatever happens (a console left open
    on a shared counter must not stay signed in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout
        from django.utils import timezone

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            # Stamped at login (stamp_session_at_login); a session from before
            # this middleware existed is stamped on its first request.
            if "baoxiu_login_at" not in session:
                stamp_session(session, now)
            started = session["baoxiu_login_at"]
            last = session.get("baoxiu_seen_at", now)
            idle = now - last > settings.STAFF_IDLE_MINUTES * 60
            too_long = now - started > settings.STAFF_SESSION_HOURS * 3600
            if idle or too_long:
                logout(request)
            elif now - last > 30:
                session["baoxiu_seen_at"] = now  # written at most every 30 s
        return self.get_response(request)


def stamp_session(session, now: float) -> None:
    session["baoxiu_login_at"] = now
    session["baoxiu_seen_at"] = now


def stamp_session_at_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: start both session clocks at login."""
    from django.utils import timezone

    if hasattr(request, "session"):
        stamp_session(request.session, timezone.now().timestamp())
