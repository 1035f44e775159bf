"""`make bench`: the registration rush. Many clients register for an event at once through the public
JSON API; the run waits until every accepted registration is final and its email reached the
benchmark's own SMTP server, then prints the figures and writes them to bench/results/<time>.json.

    python -m bench.rush                  # the target scenario: 10,000 registrations, 100 clients
    python -m bench.rush --quick          # under a minute
    python -m bench.rush --rate 150       # open loop: 150 registrations a second, whatever the answers
    python -m bench.rush --profile        # and where the time goes (py-spy)
    python -m bench.rush --broker mock    # against librdkafka's mock broker (default: Apache Kafka)

See bench/README.md.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.faults.invariants import MailIndex, collect, wait_settled
from tests.faults.rush import Api, Rush, create_event
from treffpunkt_devstack.brokers import CHOICES

from . import report
from .profiling import Profiler
from .resources import ResourceSampler, thread_cpu
from .stack import given_stack, local_stack

RESULTS = Path(__file__).parent / "results"
TARGET = {"registrations": 10_000, "concurrency": 100, "sessions": 3, "seats": 2_000, "waitlist": 500}
QUICK = {"registrations": 1_000, "concurrency": 100, "sessions": 3, "seats": 200, "waitlist": 50}
GIVEN = ("catalog_url", "catalog_token", "registration_url", "registration_token", "notification_url",
         "notification_token")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.rush", description=__doc__.splitlines()[0])
    shape = parser.add_argument_group("the rush (defaults: the target scenario; --quick: a smaller one)")
    shape.add_argument("--quick", action="store_true", help=f"a run under a minute: {QUICK}")
    shape.add_argument("--registrations", type=int, help=f"how many (default {TARGET['registrations']})")
    shape.add_argument("--concurrency", type=int, help=f"closed loop: clients (default {TARGET['concurrency']})")
    shape.add_argument("--rate", type=float, help="open loop: registrations per second on a fixed schedule")
    shape.add_argument("--sessions", type=int, help=f"parallel sessions of the event (default {TARGET['sessions']})")
    shape.add_argument("--seats", type=int, help=f"seats per session (default {TARGET['seats']})")
    shape.add_argument("--waitlist", type=int, help=f"waiting-list places per session (default {TARGET['waitlist']})")
    run = parser.add_argument_group("the run")
    run.add_argument("--replicas", type=int, default=1, help="processes per service (local stack only)")
    run.add_argument("--broker", choices=CHOICES, default="any",
                     help="local stack only: kafka (Apache Kafka on the local JVM, or KAFKA_BOOTSTRAP_SERVERS), "
                     "mock (librdkafka's mock broker), any (default: Apache Kafka where it can run, else the mock)")
    run.add_argument("--notice-window", type=float, default=5.0,
                     help="contact persons' coalescing window in seconds (the services' default is 300)")
    run.add_argument("--timeout", type=float, default=600.0, help="longest wait for everything to settle")
    run.add_argument("--profile", action="store_true", help="sample the service processes with py-spy")
    run.add_argument("--results", type=Path, default=RESULTS, help="where the JSON (and logs, profiles) go")
    given = parser.add_argument_group("services already running (instead of starting them here)")
    for name in GIVEN:
        given.add_argument(f"--{name.replace('_', '-')}")
    given.add_argument("--smtp-port", type=int, default=0,
                       help="port of the benchmark's SMTP server (give it to the services as SMTP_PORT)")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else TARGET).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    given_values = [getattr(args, name) for name in GIVEN]
    if any(given_values) and not all(given_values):
        parser.error("services already running need all of: " + ", ".join(f"--{n.replace('_', '-')}" for n in GIVEN))
    if any(given_values) and not args.smtp_port:
        parser.error("services already running need --smtp-port: where they send their emails")
    return args


def open_stack(args: argparse.Namespace, log_dir: Path):
    if args.catalog_url:
        api = Api(args.catalog_url, args.registration_url, args.notification_url, {
            "catalog": args.catalog_token, "registration": args.registration_token,
            "notification": args.notification_token})
        return given_stack(api, smtp_port=args.smtp_port)
    return local_stack(log_dir, replicas=args.replicas, smtp_port=args.smtp_port, notice_window=args.notice_window,
                       broker=args.broker)


async def run(args: argparse.Namespace) -> dict:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = args.results / stamp
    started = time.monotonic()
    print("Starting ...", flush=True)
    async with open_stack(args, out_dir / "logs") as stack:
        print(f"ready in {time.monotonic() - started:.1f} s; creating the event", flush=True)
        event = await create_event(stack.api, sessions=[(args.seats, args.waitlist)] * args.sessions, tag=stamp.lower())
        # Patient clients: in an overload the figures should show the queue, not timeouts and retries adding to it.
        rush = Rush(stack.registration_urls, event, count=args.registrations, concurrency=args.concurrency,
                    rate=args.rate, tag=stamp.lower(), request_timeout=120, give_up_after=args.timeout)
        mail = MailIndex(stack.mailbox)
        sampler = ResourceSampler(stack.process_groups | {"bench": lambda: [os.getpid()]})
        profiler = Profiler(stack.python_processes | {"bench": os.getpid()}, out_dir) if args.profile else None
        database_before = await stack.database_stats() if stack.database_stats else None

        threads_before = thread_cpu(os.getpid())
        sampler.start()
        if profiler is not None:
            await profiler.start()
        print(f"rush: {args.registrations} registrations ...", flush=True)
        attempts = await rush.run()
        print(f"all answered after {time.perf_counter() - attempts[0].due:.1f} s; waiting for the emails ...", flush=True)
        settled = await wait_settled(stack.listing(event), event, attempts, mail, timeout=args.timeout)
        usage = await sampler.stop()
        threads = thread_cpu(os.getpid())
        # The Kafka mock broker runs on librdkafka's threads in this process: its share, apart from the event loop's.
        usage["bench"].other_threads_cpu_seconds = sum(
            cpu - threads_before.get(tid, 0.0) for tid, cpu in threads.items() if tid != os.getpid())
        summaries = await profiler.stop() if profiler is not None else {}

        outcome = await collect(stack.api, stack.listing(event), event, attempts, mail)
        accepted = sum(1 for a in attempts if a.accepted)
        figures = {
            "parameters": {name: getattr(args, name) for name in (*TARGET, "rate", "replicas", "notice_window")}
            | {"broker": stack.broker or "given"},
            "started_at": stamp,
            "intake": report.intake(attempts),
            "end_to_end": report.end_to_end(attempts, mail, settled),
            "resources": report.resources(usage, sampler.peak_pss_total, accepted),
            "correctness": report.correctness(outcome),
            "notes": [*stack.notes, f"machine: {os.cpu_count()} CPU(s); python {sys.version.split()[0]}"],
        }
        if database_before is not None:
            await asyncio.sleep(1.5)  # backends report their statistics at most once a second
            figures["database"] = report.database(database_before, await stack.database_stats(), accepted)
        figures["targets"] = report.targets(figures, TARGET)
        if summaries:
            figures["profiles"] = report.profiles(summaries)
            figures["notes"].append(f"profiles (py-spy raw stacks) in {out_dir}")
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures = asyncio.run(run(args))
    print("\n" + report.table(figures))
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{figures['started_at']}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"\n  figures: {path}")
    return 0 if not figures["correctness"]["problems"] and figures["end_to_end"]["settled"] else 1


if __name__ == "__main__":
    sys.exit(main())
