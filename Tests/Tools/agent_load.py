"""Load proof: 50 concurrent clients in this (second) process for 60 s against an agent whose
queue is bounded (queue.max_queued 50) and whose printer (`lanyard printer-sim`, its own
process) is slowed down, so the bound is reached and backpressure shows.

Each client posts distinct badge requests, and now and then searches attendees or reads one of
its jobs. On a 429 a polite client waits a random time up to Retry-After (full jitter); an
impatient one (half of them by default) tries again after 20 ms, as a misbehaving integration
would.

It holds when:
- the agent never dies and never answers 5xx, and every request gets an answer;
- 429s happen, every one carries Retry-After, and each came while the queue was at the bound
  (checked against the job history in the agent's database: at some moment between sending the
  request and reading the 429, the printer had max_queued unfinished jobs);
- the queue depth the agent reports never exceeds the bound;
- once the load stops and the printer runs at full speed, every accepted job is printed, and the
  printer holds exactly one label per printed job, no attendee twice;
- the agent's VmRSS, sampled every second, stays under --max-rss-mb and does not keep growing
  (the last third of the run may not exceed the middle third's peak by more than
  --growth-mb).

Usage: agent_load.py [--duration 60] [--clients 50] [--max-queued 50] [--slow BYTES_PER_S]
"""
import argparse
import bisect
import datetime
import http.client
import os
import random
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402

ADMIN_TOKEN = "load-admin-token"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SEARCHES = ["Proof1", "attendee", "lanyard", "thomas", "carter", "ada", "xyz-none"]


class LoadClient(threading.Thread):
    def __init__(self, number, port, deadline, seed, impatient):
        super().__init__(daemon=True)
        self.number = number
        self.impatient = impatient
        self.port = port
        self.deadline = deadline
        self.rng = random.Random(seed * 1000 + number)
        self.statuses = {}
        self.accepted = []  # job ids
        self.refusals = []  # (sent, answered) wall-clock times of 429s
        self.missing_retry_after = 0
        self.failures = []  # transport errors and 5xx
        self.latencies = []

    def count(self, key):
        self.statuses[key] = self.statuses.get(key, 0) + 1

    def run(self):
        client = h.Client(self.port, timeout=h.LOADED_REQUEST_TIMEOUT)
        sequence = 0
        while time.monotonic() < self.deadline:
            roll = self.rng.random()
            try:
                if roll < 0.8 or not self.accepted:
                    sequence += 1
                    body = {"attendee": h.registration("load", self.number * 1_000_000 + sequence)}
                    self.post(client, body)
                elif roll < 0.9:
                    query = self.rng.choice(SEARCHES)
                    # An operator's search (the attendee list is staff-only; the kiosk's own is rate-limited).
                    self.get(client, f"/v1/attendees?q={query}&limit=10", "search", OPERATOR)
                else:
                    self.get(client, f"/v1/jobs/{self.rng.choice(self.accepted)}", "job")
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(f"{type(error).__name__}: {error}")
                client.close()
                time.sleep(0.1)
        client.close()

    def post(self, client, body):
        sent = time.time()
        began = time.monotonic()
        status, headers, answer = client.request("POST", "/v1/badges", body)
        answered = time.time()
        self.latencies.append(time.monotonic() - began)
        self.count(f"POST {status}")
        if status == 202:
            self.accepted.append(answer["id"])
        elif status == 429:
            self.refusals.append((sent, answered))
            retry_after = headers.get("retry-after")
            if retry_after is None or not retry_after.isdigit():
                self.missing_retry_after += 1
                time.sleep(0.5)
            elif self.impatient:
                time.sleep(0.02)
            else:
                time.sleep(self.rng.uniform(0, int(retry_after)))
        elif status >= 500:
            self.failures.append(f"POST /v1/badges answered {status}: {answer}")
        else:
            self.failures.append(f"POST /v1/badges answered {status} to a valid request: {answer}")

    def get(self, client, path, kind, headers=None):
        status, _, answer = client.request("GET", path, headers=headers)
        self.count(f"GET {kind} {status}")
        if status != 200:
            self.failures.append(f"GET {path} answered {status}: {answer}")


class Monitor(threading.Thread):
    """Samples the agent's VmRSS every second and its reported queue depth twice a second."""

    def __init__(self, agent, stop):
        super().__init__(daemon=True)
        self.agent = agent
        self.stop = stop
        self.rss = []  # (seconds since start, kB)
        self.depths = []
        self.failures = []

    def run(self):
        client = h.Client(self.agent.port)
        started = time.monotonic()
        next_rss = started
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= next_rss:
                kilobytes = h.rss_kilobytes(self.agent.pid)
                if kilobytes is None:
                    self.failures.append("the agent process is gone")
                    return
                self.rss.append((now - started, kilobytes))
                next_rss += 1.0
            try:
                status, _, body = client.request("GET", "/v1/printers")
                if status == 200:
                    self.depths.append(max((p.get("queue_depth", 0) for p in body["printers"]), default=0))
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(f"GET /v1/printers: {error}")
                client.close()
            self.stop.wait(0.5)
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--max-queued", type=int, default=50)
    parser.add_argument("--slow", type=int, default=20000, help="printer-sim speed in bytes a second during the load")
    parser.add_argument("--max-rss-mb", type=float, default=150.0)
    parser.add_argument("--growth-mb", type=float, default=16.0)
    parser.add_argument("--impatient", type=float, default=0.5,
                        help="share of clients that ignore Retry-After and try again after 20 ms")
    parser.add_argument("--seed", type=int, default=20261)
    args = parser.parse_args()
    h.log(f"agent_load: {args.clients} clients for {args.duration:.0f} s, queue bound {args.max_queued}, "
          f"printer at {args.slow} bytes/s, seed {args.seed}")
    with h.Workspace("lanyard-load-") as directory:
        sim = h.PrinterSim(os.path.join(directory, "labels"), mode=f"slow:{args.slow}")
        agent = h.Agent(directory, h.agent_config(sim.address, admin_token=ADMIN_TOKEN, queue={"max_queued": args.max_queued}))
        try:
            run(args, sim, agent)
        finally:
            agent.kill9()
            sim.stop()


def run(args, sim, agent):
    agent.start()
    idle_rss = h.rss_kilobytes(agent.pid)
    stop = threading.Event()
    monitor = Monitor(agent, stop)
    monitor.start()
    deadline = time.monotonic() + args.duration
    impatient = round(args.clients * args.impatient)
    clients = [LoadClient(number, agent.port, deadline, args.seed, number < impatient) for number in range(args.clients)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    stop.set()
    monitor.join()

    if not agent.alive():
        raise h.ProofFailed(f"the agent died under load (exit {agent.process.returncode}); log: {agent.tail()}")
    failures = [failure for client in clients for failure in client.failures] + monitor.failures
    if failures:
        raise h.ProofFailed(f"{len(failures)} requests failed under load, e.g. {failures[:5]}")
    statuses = {}
    for client in clients:
        for key, value in client.statuses.items():
            statuses[key] = statuses.get(key, 0) + value
    refusals = [interval for client in clients for interval in client.refusals]
    missing_retry_after = sum(client.missing_retry_after for client in clients)
    accepted = [job for client in clients for job in client.accepted]
    if not refusals:
        raise h.ProofFailed(f"no 429 in {args.duration:.0f} s: the queue bound {args.max_queued} was never reached ({statuses})")
    if missing_retry_after:
        raise h.ProofFailed(f"{missing_retry_after} of {len(refusals)} 429 answers had no Retry-After (in whole seconds)")
    deepest = max(monitor.depths, default=0)
    if deepest > args.max_queued:
        raise h.ProofFailed(f"the agent reported a queue depth of {deepest}, over the bound {args.max_queued}")

    # Memory: bounded and not growing.
    samples = [kilobytes for _, kilobytes in monitor.rss]
    peak = max(samples) / 1024
    final_rss = samples[-1] / 1024
    third = max(1, len(samples) // 3)
    middle_peak = max(samples[third:2 * third] or samples) / 1024
    last_peak = max(samples[2 * third:] or samples) / 1024
    if peak > args.max_rss_mb:
        raise h.ProofFailed(f"agent RSS peaked at {peak:.1f} MB, over the bound {args.max_rss_mb:.0f} MB")
    if last_peak > middle_peak + args.growth_mb:
        raise h.ProofFailed(f"agent RSS keeps growing: {middle_peak:.1f} MB peak in the middle third of the run, "
                            f"{last_peak:.1f} MB in the last (allowed growth {args.growth_mb:.0f} MB)")

    # Every accepted job completes once the printer is back at full speed.
    sim.set_mode("ready")
    drain_started = time.monotonic()
    reader = h.Client(agent.port, timeout=h.LOADED_REQUEST_TIMEOUT)
    final = h.wait_until_terminal(reader, accepted, timeout=300, poll=0.5)
    drain = time.monotonic() - drain_started
    not_printed = {job_id: job["state"] for job_id, job in final.items() if job["state"] != "printed"}
    if not_printed:
        raise h.ProofFailed(f"{len(not_printed)} accepted jobs did not print: {list(not_printed.items())[:5]}")
    after_rss = h.rss_kilobytes(agent.pid) / 1024

    code = agent.stop()
    if code != 0:
        raise h.ProofFailed(f"the agent exited with {code} on SIGTERM after the load")
    justified, unjustified = refusals_at_bound(agent, refusals, args.max_queued)
    if unjustified:
        raise h.ProofFailed(f"{len(unjustified)} of {len(refusals)} 429s came while the queue was below the bound, "
                            f"e.g. (sent, answered, deepest queue then) {unjustified[:3]}")

    on_labels, unreadable = h.attendees_on_labels(sim.out)
    twice = {attendee: count for attendee, count in on_labels.items() if count > 1}
    if unreadable or twice or sum(on_labels.values()) != len(accepted):
        raise h.ProofFailed(f"{len(accepted)} jobs printed but the printer holds {sum(on_labels.values())} badge labels "
                            f"({len(unreadable)} unreadable, {len(twice)} attendees twice)")

    latencies = sorted(latency for client in clients for latency in client.latencies)
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0
    requests = sum(statuses.values())
    h.log(f"agent_load: {requests} requests in {args.duration:.0f} s ({requests / args.duration:.0f}/s), "
          f"POST p95 {p95:.0f} ms; {dict(sorted(statuses.items()))}")
    h.log(f"  {len(accepted)} accepted, all printed ({drain:.1f} s to drain after the load), one label each; "
          f"{len(refusals)} 429s, all with Retry-After, all while the queue was at the bound ({justified} checked); "
          f"deepest reported queue {deepest}/{args.max_queued}")
    h.log(f"  agent RSS: idle {idle_rss / 1024:.1f} MB, peak {peak:.1f} MB, final under load {final_rss:.1f} MB, "
          f"after the drain {after_rss:.1f} MB (bound {args.max_rss_mb:.0f} MB; middle-third peak {middle_peak:.1f}, "
          f"last-third peak {last_peak:.1f})")


def refusals_at_bound(agent, refusals, bound):
    """Replays the job history from the agent's database (print_job_transition: a job enters with
    from_state NULL and leaves the queue on reaching a terminal state) and checks that at some
    moment within each 429's round trip, widened by 250 ms for the time a transaction waits for
    the write lock after taking its timestamp, the printer had `bound` unfinished jobs."""
    database = sqlite3.connect(os.path.join(agent.data, "lanyard.sqlite"))
    rows = database.execute(
        "SELECT at, CASE WHEN from_state IS NULL THEN 1 ELSE -1 END FROM print_job_transition "
        "WHERE from_state IS NULL OR to_state IN ('printed', 'manualReview', 'deadLettered', 'cancelled') ORDER BY at, id"
    ).fetchall()
    database.close()
    times, depths = [], []
    depth = 0
    for at, change in rows:
        depth += change
        times.append(parse_time(at))
        depths.append(depth)
    slack = 0.25
    justified, unjustified = 0, []
    for sent, answered in refusals:
        first = bisect.bisect_left(times, sent - slack)
        last = bisect.bisect_right(times, answered + slack)
        window = depths[max(0, first - 1):last]
        deepest = max(window, default=0)
        if deepest >= bound:
            justified += 1
        else:
            unjustified.append((sent, answered, deepest))
    return justified, unjustified


def parse_time(text):
    """GRDB's stored dates: 'YYYY-MM-DD HH:MM:SS.SSS' in UTC."""
    parsed = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    return parsed.replace(tzinfo=datetime.timezone.utc).timestamp()


if __name__ == "__main__":
    h.run_proof("agent_load", main)
