"""Two printers on one box, and the first one running out of paper in the middle of a batch.

The real `lanyard agent` drives two `lanyard printer-sim` printers over TCP (`printers:` with
ids `first` and `second`). 200 badges are sent to the first printer; when it has printed some,
it runs out of paper. Its queued badges must go to the second printer (the hand-over after
`queue.handover_seconds`), and every one of the 200 badges must come out exactly once: the QR
codes on both printers' labels are decoded and counted per attendee. The badge held by the
first printer when its paper ran out (sent, not yet printed) prints there once paper is back,
and not on the second printer too.

Reported, not asserted (machines are noisy; docs/benchmarks.md records a release run): the time
from the fault to the first badge at the second printer.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (  # noqa: E402
    PROFILE, Agent, Client, PrinterSim, ProofFailed, Workspace, agent_config, attendee_id, attendees_on_labels, log,
    registration, run_proof, wait_until_terminal,
)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--badges", type=int, default=200)
    parser.add_argument("--defaults", action="store_true",
                        help="the agent's default poll and hand-over settings (the benchmark), not the proof's fast poll")
    args, _ = parser.parse_known_args()
    BADGES = args.badges
    with Workspace("lanyard-failover-") as directory:
        first = PrinterSim(os.path.join(directory, "first"))
        second = PrinterSim(os.path.join(directory, "second"))
        fast = {} if args.defaults else {"poll_seconds": 0.1}
        printers = [
            {"id": "first", "address": first.address, "profile": PROFILE, "confirm_seconds": 10, **fast},
            {"id": "second", "address": second.address, "profile": PROFILE, "confirm_seconds": 10, **fast},
        ]
        config = agent_config(first.address)
        del config["printer"]
        config["printers"] = printers
        agent = Agent(directory, config)
        try:
            agent.start()
            client = Client(agent.port)
            jobs = {}
            for number in range(BADGES):
                status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("failover", number), "printer": "first"})
                if status != 202:
                    raise ProofFailed(f"POST /v1/badges: {status} {body}")
                jobs[body["id"]] = attendee_id("failover", f"FAILOVER-{number:06d}")
            deadline = time.monotonic() + 120
            while len(first.labels()) < BADGES // 4:
                if time.monotonic() > deadline:
                    raise ProofFailed(f"the first printer printed {len(first.labels())} labels in 120 s")
                time.sleep(0.02)
            first.set_mode("paper-out")
            fault = time.monotonic()
            printed_before = len(first.labels())
            while not second.labels():
                if time.monotonic() - fault > 60:
                    raise ProofFailed("no badge reached the second printer within 60 s of the first one's paper out")
                time.sleep(0.005)
            to_fallback = time.monotonic() - fault
            log(f"paper out on the first printer after {printed_before} labels; the first badge at the second printer "
                f"{to_fallback * 1000:.0f} ms later")

            # Everything but what the first printer holds finishes on the second; then paper comes back.
            deadline = time.monotonic() + 180
            while True:
                states = {}
                for job_id in jobs:
                    _, _, body = client.request("GET", f"/v1/jobs/{job_id}")
                    states[body["state"]] = states.get(body["state"], 0) + 1
                if states.get("printed", 0) + states.get("sent", 0) == BADGES and states.get("sent", 0) <= 1:
                    break
                if time.monotonic() > deadline:
                    raise ProofFailed(f"the batch did not move on: {states}")
                time.sleep(0.5)
            first.set_mode("ready")
            final = wait_until_terminal(client, jobs, timeout=120)
            if any(job["state"] != "printed" for job in final.values()):
                raise ProofFailed(f"every badge should print: {[(i, j['state']) for i, j in final.items() if j['state'] != 'printed']}")
            time.sleep(1)
            counts = {}
            unreadable = []
            for sim in (first, second):
                found, bad = attendees_on_labels(sim.out)
                unreadable += bad
                for attendee, count in found.items():
                    counts[attendee] = counts.get(attendee, 0) + count
            twice = {attendee: count for attendee, count in counts.items() if count != 1}
            missing = set(jobs.values()) - set(counts)
            if twice or missing or unreadable or len(counts) != BADGES:
                raise ProofFailed(f"each badge exactly once: twice {twice}, missing {len(missing)}, unreadable {unreadable}")
            on_second = sum(1 for job in final.values() if job["printer"] == "second")
            log(f"all {BADGES} badges printed exactly once: {BADGES - on_second} on the first printer, {on_second} on the second "
                f"(QR codes decoded from both printers' labels)")
            status, _, metrics = client.request("GET", "/metrics")
            if "lanyard_handover_jobs_total" not in str(metrics):
                raise ProofFailed("the hand-over is not counted in /metrics")
        finally:
            agent.stop()
            first.stop()
            second.stop()


if __name__ == "__main__":
    run_proof("agent_failover", main)
