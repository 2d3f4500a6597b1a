import signal

from django.core.management.base import BaseCommand

from baoxiu.core import queue
from baoxiu.core.runtime import freeze_startup_heap


class Command(BaseCommand):
    help = "Run the background worker (database-backed queue; several may run at once)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, burst=False, worker_id=None, **options):
        stopping = {"now": False}

        def stop(signum, frame):
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker_id = worker_id or queue.default_worker_id()
        freeze_startup_heap()
        self.stdout.write(
            f"worker {worker_id} started; jobs: {', '.join(sorted(queue.registered_jobs()))}"
        )
        # The command is the real worker: it schedules periodic jobs even in a
        # burst run, so a cron-driven `run_worker --burst` keeps SLA timers firing.
        count = queue.work(
            worker_id=worker_id,
            burst=burst,
            schedule_periodic=True,
            should_stop=lambda: stopping["now"],
        )
        self.stdout.write(f"worker {worker_id} stopped after {count} jobs")
