"""What the render child costs (docs/benchmarks.md, "The render child").

Runs the real `lanyard agent` (LANYARD_BIN, else the debug build, else the release build) on the
in-process simulator with debug logs, prints badges one at a time, and reads the render
child's own log line for each: the exchange as the printer worker timed it (request sent to
badge read back, the child's start included when it was cold) beside the child's render and
encode. The difference is what the process boundary adds to a badge. Then it lets the child
idle out and prints once more, for a second cold start, and reports the child's resident memory
while it was warm.

    LANYARD_BIN=.build/release/lanyard python3 Tests/Tools/render_child_latency.py [--badges 40]
"""
import argparse
import os
import statistics
import time

from agent_harness import (
    Agent, Client, ProofFailed, Workspace, agent_config, lanyard_binary, registration, rss_kilobytes, run_proof,
    wait_until_terminal,
)
import subprocess


class DebugAgent(Agent):
    def spawn(self):
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                [lanyard_binary(), "agent", "--config", self.config_path, "--data", self.data,
                 "--listen", f"127.0.0.1:{self.port}", "--log-level", "debug"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
        self.starts += 1


def render_children(pid):
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if int(fields[1]) == pid and b"render-child" in command:
            children.append(int(entry))
    return children


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--badges", type=int, default=40)
    arguments = parser.parse_args()
    with Workspace("lanyard-render-child-") as directory:
        config = agent_config("sim", limits={"render_child_idle_seconds": 2})
        agent = DebugAgent(directory, config)
        agent.start()
        client = Client(agent.port)
        child_rss = None
        try:
            def badge(number):
                status, _, body = client.request("POST", "/v1/badges", {"attendee": registration("bench", number)})
                if status != 202:
                    raise ProofFailed(f"POST /v1/badges answered {status}: {body}")
                wait_until_terminal(client, [body["id"]], timeout=60, poll=0.01)

            for number in range(arguments.badges):
                badge(number)
                if number == arguments.badges - 1:
                    children = render_children(agent.pid)
                    child_rss = rss_kilobytes(children[0]) if children else None
            time.sleep(4)
            if render_children(agent.pid):
                raise ProofFailed("the render child did not stop after being idle")
            badge(arguments.badges)
        finally:
            client.close()
            agent.stop()
        lines = [entry for entry in agent.log_entries() if entry.get("message") == "badge from the render child"]
        cold = [line for line in lines if line.get("cold") == "true"]
        warm = [line for line in lines if line.get("cold") == "false"]
        if len(cold) != 2 or len(warm) != arguments.badges - 1:
            raise ProofFailed(f"expected 2 cold and {arguments.badges - 1} warm badges, got {len(cold)} and {len(warm)}")

        def ms(line, key):
            return int(line[key]) / 1000

        for line in cold:
            print(f"cold child: exchange {ms(line, 'exchange_us'):.1f} ms, of which render + encode {ms(line, 'render_us'):.1f} ms")
        exchanges = sorted(ms(line, "exchange_us") for line in warm)
        overheads = sorted(ms(line, "exchange_us") - ms(line, "render_us") for line in warm)
        renders = sorted(ms(line, "render_us") for line in warm)
        p95 = lambda values: values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"warm child, {len(warm)} badges: exchange median {statistics.median(exchanges):.2f} ms (p95 {p95(exchanges):.2f}), "
              f"render + encode median {statistics.median(renders):.2f} ms, "
              f"overhead median {statistics.median(overheads):.2f} ms (p95 {p95(overheads):.2f})")
        if child_rss:
            print(f"render child resident memory while warm: {child_rss / 1024:.1f} MB")


if __name__ == "__main__":
    run_proof("render child latency", main)
