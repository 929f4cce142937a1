"""Crash proof: kill -9 the agent at random points of a 200-badge batch, restart it on the same
data directory, repeat; then every badge request has exactly one job, every job ends in exactly
one terminal state, and no badge is printed twice.

The agent prints over tcp:// to `lanyard printer-sim` running as its own process, so the labels
that reached the printer survive every kill. Kills land while requests are being submitted,
while badges are being printed (some timed at random, some aimed at a job seen `sending`,
whose window is only the tens of milliseconds of its rendering), and right after a start
(during loading and the startup reconciliation). The printer alternates between full speed and
slow, so some kills find a badge's bytes still on their way into the printer. Submitting
clients send a request that got no answer again with the same idempotency key, as a kiosk page
or an integrator would.

The reconciliation rule under test (Sources/Store/JobReconciliation.swift, docs/agent.md):
a job left `sending` by a kill may have printed in part or whole, so it goes to
`manual_review` and is never re-sent; a job left `sent` had every byte accepted by the printer,
so it is recorded `printed` and not re-sent. Hence: a `printed` job's badge is on exactly one
label; a `manual_review` job's badge is on at most one label; no attendee is on two labels.

It fails when a request goes unanswered, a job is lost or never finishes, a request got a
second job, a job ends dead-lettered or cancelled (no fault was injected), a reconciled job
broke the rule, a `printed` badge is not on exactly one label, an attendee is on two labels, or
no kill left a job `sending` (the rule's first branch would be untested).

Usage: agent_crash.py [--seed N] [--jobs 200] [--kills 12]. The seed is printed; rerunning with
it replays the same batch, printer speeds, kill delays and kinds (thread timing still varies).
"""
import argparse
import http.client
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402

TICKET_TYPES = ["General Admission", "General Admission", "General Admission", "VIP", "Speaker", "Staff"]


class Submitter:
    """Posts every badge request until it gets an answer; a request that got none (the agent was
    killed, or is down) is sent again unchanged, with the same idempotency key."""

    def __init__(self, port, requests, threads, seed, pause):
        self.port = port
        self.seed = seed
        self.pause = pause
        self.queue = list(requests)
        self.lock = threading.Lock()
        self.results = {}  # request number -> (status, job)
        self.unanswered = set()  # requests sent again because an attempt got no answer
        self.refused = []  # (number, status, body): answers other than 200/202/429
        self.threads = [threading.Thread(target=self.run, args=(index,), daemon=True) for index in range(threads)]

    def start(self):
        for thread in self.threads:
            thread.start()

    @property
    def finished(self):
        return all(not thread.is_alive() for thread in self.threads)

    @property
    def submitted(self):
        with self.lock:
            return len(self.results)

    def run(self, index):
        client = h.Client(self.port)
        rng = random.Random(self.seed * 100 + index)
        while True:
            # Paced like a queue of people at kiosks, so that kills land during submission.
            time.sleep(rng.uniform(0, self.pause))
            with self.lock:
                if not self.queue:
                    break
                number, body, headers = self.queue.pop(0)
            while True:
                try:
                    status, _, answer = client.request("POST", "/v1/badges", body, headers)
                except (OSError, http.client.HTTPException):
                    client.close()
                    with self.lock:
                        self.unanswered.add(number)
                    time.sleep(0.05)
                    continue
                if status == 429:
                    time.sleep(0.2)
                    continue
                with self.lock:
                    if status in (200, 202):
                        self.results[number] = (status, answer)
                    else:
                        self.refused.append((number, status, answer))
                break
        client.close()


def build_batch(seed, jobs):
    """The badge requests, from the seed: (number, body, headers), and each one's attendee id."""
    rng = random.Random(seed)
    batch = []
    for number in range(jobs):
        body = {"attendee": h.registration("crash", number, ticket_type=rng.choice(TICKET_TYPES))}
        headers = {}
        # Half with the default key (attendee:<id>), half with the caller's own key in the header.
        if rng.random() < 0.5:
            headers["Idempotency-Key"] = f"crash-proof-{seed}-{number}"
        batch.append((number, body, headers))
    expected = {number: h.attendee_id("crash", f"CRASH-{number:06d}") for number in range(jobs)}
    return batch, expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("LANYARD_CRASH_SEED", "20260")))
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--kills", type=int, default=12, help="kills in all, at least 3 of them after submission ends")
    parser.add_argument("--max-kills", type=int, default=40, help="kills at most, while waiting for both reconciliation branches")
    parser.add_argument("--threads", type=int, default=4, help="concurrent submitting clients")
    parser.add_argument("--pause", type=float, default=0.2, help="most seconds a client waits between requests")
    parser.add_argument("--slow", type=int, default=30000,
                        help="bytes a second of the printer in its slow rounds (a kill then lands mid-send more often)")
    args = parser.parse_args()
    h.log(f"agent_crash: seed {args.seed} (rerun with --seed {args.seed}), {args.jobs} jobs, {args.kills} kills")
    batch, expected = build_batch(args.seed, args.jobs)
    with h.Workspace("lanyard-crash-") as directory:
        sim = h.PrinterSim(os.path.join(directory, "labels"))
        agent = h.Agent(directory, h.agent_config(
            sim.address, queue={"max_queued": args.jobs + 50}, printer={"poll_seconds": 0.05}))
        try:
            run(args, batch, expected, sim, agent)
        finally:
            agent.kill9()
            sim.stop()


def run(args, batch, expected, sim, agent):
    started = time.monotonic()
    rng = random.Random(args.seed)
    order = list(batch)
    rng.shuffle(order)
    agent.start()
    submitter = Submitter(agent.port, order, args.threads, args.seed, args.pause)
    submitter.start()
    client = h.Client(agent.port)

    kills = {"submission": 0, "printing": 0, "startup": 0}
    finished_jobs = set()
    # Kill at least --kills times, at least 3 times after submission ended, and until both
    # branches of the reconciliation rule have been taken (bounded: --max-kills).
    while (sum(kills.values()) < args.kills or kills["printing"] < 3 or not both_branches_seen(agent)) \
            and sum(kills.values()) < args.max_kills:
        # Ready: badges go through fast, a kill often lands while one awaits confirmation.
        # Slow: a kill lands while the printer is still taking in the bytes of a `sent` badge.
        mode = "ready" if rng.random() < 0.5 else f"slow:{args.slow}"
        sim.set_mode(mode)
        # A badge is `sending` only while it renders (tens of ms), so a kill at a random time
        # rarely finds one; some kills wait until one is seen sending.
        needs_sending = sum(kills.values()) >= args.kills and not reconciliations(agent)["sending"]
        mid_send = needs_sending or rng.random() < 0.3
        delay = rng.uniform(0.2, 1.0) if mid_send else rng.uniform(0.2, 2.0)
        startup_kill = rng.random() < 0.2
        time.sleep(delay)
        if submitter.finished and queue_depth(client) == 0:
            break  # every job is finished: nothing left in flight to interrupt
        seen = wait_for_sending(client, submitter, finished_jobs, timeout=3.0) if mid_send else None
        phase = "submission" if not submitter.finished else "printing"
        agent.kill9()
        kills[phase] += 1
        when = f"as job {seen} was seen sending" if seen else f"{delay:.2f} s after start"
        h.log(f"  kill {sum(kills.values()):2d} ({phase}, printer {mode}) {when}: "
              f"{submitter.submitted}/{args.jobs} answered, {len(sim.labels())} labels at the printer")
        if startup_kill:
            # Started again and killed before it serves: during reconciliation or loading.
            agent.spawn()
            time.sleep(rng.uniform(0.0, 0.25))
            agent.kill9()
            kills["startup"] += 1
            h.log(f"  kill {sum(kills.values()):2d} (startup)")
        agent.start()

    sim.set_mode("ready")
    while not submitter.finished:
        time.sleep(0.1)
    if submitter.refused:
        raise h.ProofFailed(f"{len(submitter.refused)} badge requests refused, e.g. {submitter.refused[:3]}")
    missing = sorted(set(expected) - set(submitter.results))
    if missing:
        raise h.ProofFailed(f"{len(missing)} badge requests never answered 200/202: {missing[:10]}")
    ids = {number: answer["id"] for number, (_, answer) in submitter.results.items()}
    if len(set(ids.values())) != len(ids):
        raise h.ProofFailed("two different badge requests were answered with the same job id")
    final = h.wait_until_terminal(client, ids.values(), timeout=300)
    check(batch, expected, ids, final, submitter, sim, agent, client, kills, started)
    code = agent.stop()
    if code != 0:
        raise h.ProofFailed(f"the agent exited with {code} on SIGTERM after the batch")


def reconciliations(agent):
    """{"sending": [(job, now)], "sent": [(job, now)]} from the agent's startup log lines."""
    moves = {"sending": [], "sent": []}
    for entry in agent.log_entries():
        if entry.get("message") == "job reconciled after an unclean stop":
            moves.setdefault(entry.get("was"), []).append((int(entry["job"]), entry.get("now")))
    return moves


def both_branches_seen(agent):
    moves = reconciliations(agent)
    return bool(moves["sending"]) and bool(moves["sent"])


def wait_for_sending(client, submitter, finished_jobs, timeout):
    """Polls the oldest unfinished job (the worker claims in id order) until one is `sending`;
    its id, or None after `timeout`. `finished_jobs` remembers terminal ones across calls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with submitter.lock:
            answered = sorted(answer["id"] for _, answer in submitter.results.values())
        candidates = [job for job in answered if job not in finished_jobs]
        if not candidates:
            time.sleep(0.05)
            continue
        try:
            status, _, body = client.request("GET", f"/v1/jobs/{candidates[0]}")
        except (OSError, http.client.HTTPException):
            client.close()
            return None
        if status != 200:
            return None
        if body["state"] == "sending":
            return candidates[0]
        if body["state"] in h.TERMINAL:
            finished_jobs.add(candidates[0])
    return None


def queue_depth(client):
    """Unfinished jobs over all printers (1 when the agent cannot say: keep going)."""
    try:
        status, _, body = client.request("GET", "/v1/printers")
    except (OSError, http.client.HTTPException):
        client.close()
        return 1
    if status != 200:
        return 1
    return sum(printer.get("queue_depth", 0) for printer in body.get("printers", []))


def check(batch, expected, ids, final, submitter, sim, agent, client, kills, started):
    # None lost: each answered request's job exists, is terminal and is that attendee's.
    for number, job_id in ids.items():
        job = final[job_id]
        if job.get("attendee_id") != expected[number]:
            raise h.ProofFailed(f"job {job_id} is for attendee {job.get('attendee_id')}, request {number} was for {expected[number]}")
    # Exactly one job per request, in one terminal state: submitting the whole batch again makes
    # no new job, prints nothing, and answers each job in the state it ended in.
    again = {}
    for number, body, headers in batch:
        status, _, answer = client.request("POST", "/v1/badges", body, headers)
        if status != 200 or not answer.get("duplicate") or answer.get("id") != ids[number]:
            raise h.ProofFailed(f"resubmitting request {number} answered {status} {answer}, expected its job {ids[number]} as a duplicate")
        if answer.get("state") != final[ids[number]]["state"]:
            raise h.ProofFailed(f"job {ids[number]} was {final[ids[number]]['state']}, now {answer.get('state')}: a terminal state changed")
        again[number] = answer["id"]

    states = {}
    for job in final.values():
        states[job["state"]] = states.get(job["state"], 0) + 1
    unexpected = {state: count for state, count in states.items() if state not in ("printed", "manual_review")}
    if unexpected:
        raise h.ProofFailed(f"jobs ended dead-lettered or cancelled with no fault injected: {unexpected}")

    # Not printed twice: decode every label at the printer.
    on_labels, unreadable = h.attendees_on_labels(sim.out)
    if unreadable:
        raise h.ProofFailed(f"{len(unreadable)} labels carry no readable badge QR code, e.g. {unreadable[:2]}")
    twice = {attendee: count for attendee, count in on_labels.items() if count > 1}
    if twice:
        raise h.ProofFailed(f"{len(twice)} attendees printed more than once: {list(twice.items())[:5]}")
    known = set(expected.values())
    strangers = set(on_labels) - known
    if strangers:
        raise h.ProofFailed(f"labels for attendees never submitted: {sorted(strangers)[:5]}")
    by_attendee = {final[ids[number]]["attendee_id"]: final[ids[number]] for number in ids}
    printed_missing = [job["id"] for attendee, job in by_attendee.items() if job["state"] == "printed" and on_labels.get(attendee, 0) != 1]
    if printed_missing:
        raise h.ProofFailed(f"{len(printed_missing)} jobs are 'printed' but their badge is not at the printer: {printed_missing[:10]}")
    review = [job for job in by_attendee.values() if job["state"] == "manual_review"]
    review_with_label = sum(1 for job in review if on_labels.get(job["attendee_id"], 0) == 1)

    # The reconciliation rule as logged at each restart (the log has the store's state names).
    reconciled = reconciliations(agent)
    wrong = [(job, was, now) for was, moves in reconciled.items() for job, now in moves
             if (was, now) not in (("sending", "manualReview"), ("sent", "printed"))]
    if wrong:
        raise h.ProofFailed(f"reconciliation broke its rule (sending -> manual_review, sent -> printed): {wrong[:5]}")
    if not reconciled["sending"] or not reconciled["sent"]:
        raise h.ProofFailed(f"in {sum(kills.values())} kills, no kill left a job {'sending' if not reconciled['sending'] else 'sent'}: "
                            "that branch of the rule went untested; try another --seed or more --max-kills")
    for was, state in (("sending", "manual_review"), ("sent", "printed")):
        off = [job for job, _ in reconciled[was] if job in final and final[job]["state"] != state]
        if off:
            raise h.ProofFailed(f"jobs reconciled from {was} did not stay {state}: {off[:5]}")
    reviewed_ids = {job["id"] for job in review}
    unexplained = reviewed_ids - {job for job, _ in reconciled["sending"]}
    if unexplained:
        raise h.ProofFailed(f"jobs in manual review that no restart reconciled (no fault was injected): {sorted(unexplained)[:10]}")

    h.log(f"agent_crash: {len(ids)} jobs, {sum(kills.values())} kills ({kills['submission']} during submission, "
          f"{kills['printing']} during printing, {kills['startup']} during startup), {agent.starts} starts, "
          f"{len(submitter.unanswered)} requests sent again after an attempt got no answer")
    h.log(f"  terminal states: {dict(sorted(states.items()))}; resubmitting all {len(again)} gave their own jobs back as duplicates")
    h.log(f"  reconciled: {len(reconciled['sending'])} sending -> manual_review, {len(reconciled['sent'])} sent -> printed")
    h.log(f"  labels: {len(sim.labels())} at the printer, {len(on_labels)} distinct attendees, none twice; "
          f"every printed job on exactly one label; {review_with_label} of {len(review)} manual-review jobs had reached the printer whole")
    h.log(f"  time: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    h.run_proof("agent_crash", main)
