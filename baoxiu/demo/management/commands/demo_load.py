import time

from django.core.management.base import BaseCommand, CommandError

from baoxiu.demo import data
from baoxiu.demo.services import DemoNotAllowed, demo_network_load


class Command(BaseCommand):
    help = "Load the fictional demo network into this database (idempotent; demo only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1.0: 30 outlets, 200 technicians, 300 tickets.",
        )
        parser.add_argument("--seed", type=int, default=data.DEMO_SEED)

    def handle(self, *args, scale, seed, **options):
        started = time.monotonic()
        try:
            result = demo_network_load(scale=scale, seed=seed)
        except (DemoNotAllowed, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        state = "loaded" if result.created else "already present"
        self.stdout.write(
            f"Demo network {state}: {result.outlets} outlets, {result.technicians} technicians, "
            f"{result.tickets} tickets, {result.jobs_run} jobs run ({seconds:.1f} s)."
        )
