import copy

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with uvicorn (config.asgi:application)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to bind (8000).")
        parser.add_argument(
            "--workers", type=int, default=1, help="Web worker processes (1); stateless."
        )
        parser.add_argument("--log-level", default="info", help="Uvicorn log level (info).")
        parser.add_argument(
            "--forwarded-allow-ips",
            default=None,
            help="Proxies whose X-Forwarded-* headers are trusted (uvicorn default: 127.0.0.1).",
        )

    def handle(self, *args, host, port, workers, log_level, forwarded_allow_ips, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        import uvicorn
        from uvicorn.config import LOGGING_CONFIG

        # Uvicorn's own logging, with tracking tokens taken out of access lines.
        log_config = copy.deepcopy(LOGGING_CONFIG)
        log_config["filters"] = {"redact": {"()": "baoxiu.core.log_redaction.RedactTokens"}}
        for handler in log_config["handlers"].values():
            handler["filters"] = ["redact"]

        # Django's ASGI handler does not speak the lifespan protocol.
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            log_level=log_level,
            log_config=log_config,
            forwarded_allow_ips=forwarded_allow_ips,
        )
