"""Fuzz proof: schemathesis generates requests from docs/openapi.yaml, valid and invalid, against
a running `lanyard agent` (admin token and a webhook secret configured, the admin token sent on
every request), and checks every answer against the same description.

It holds when schemathesis finds nothing (no 5xx, every status code, content type, header and
body as documented) and the agent process is still alive and healthy afterwards.

Usage: agent_fuzz.py [--max-examples 60] [--seed 20262] [--schemathesis PATH]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402

ADMIN_TOKEN = "fuzz-admin-token"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def schemathesis_command(explicit):
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("schemathesis")
    if not found:
        raise h.ProofFailed("schemathesis is not installed (make tools installs it in .venv)")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=60, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20262)
    parser.add_argument("--schemathesis", help="the schemathesis executable (default: beside this Python)")
    args = parser.parse_args()
    tool = schemathesis_command(args.schemathesis)
    spec = os.path.join(h.REPOSITORY, "docs", "openapi.yaml")
    h.log(f"agent_fuzz: {spec} with {args.max_examples} examples per operation, seed {args.seed}")
    with h.Workspace("lanyard-fuzz-") as directory:
        config = h.agent_config("sim", admin_token=ADMIN_TOKEN, webhooks={"secrets": {"crm": "fuzz-webhook-secret"}})
        agent = h.Agent(directory, config)
        agent.start()
        try:
            started = time.monotonic()
            report = os.path.join(directory, "schemathesis")
            command = [
                tool, "run", spec, "--url", f"http://127.0.0.1:{agent.port}",
                "--header", f"Authorization: Bearer {ADMIN_TOKEN}",
                "--checks", ",".join(CHECKS),
                "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                "--phases", "examples,coverage,fuzzing", "--workers", "1",
                "--request-timeout", "10", "--no-color", "--suppress-health-check", "too_slow",
                "--generation-database", "none", "--report", "junit", "--report-dir", report,
            ]
            result = subprocess.run(command, capture_output=True, text=True, cwd=directory, env=dict(os.environ, NO_COLOR="1"))
            elapsed = time.monotonic() - started
            output = result.stdout + result.stderr
            if not agent.alive():
                raise h.ProofFailed(f"the agent died during fuzzing (exit {agent.process.returncode}); log: {agent.tail()}")
            status, _, body = h.Client(agent.port).request("GET", "/v1/health")
            if status != 200:
                raise h.ProofFailed(f"the agent is not healthy after fuzzing: {status} {body}")
            if result.returncode != 0:
                sys.stderr.write(output[-12000:])
                raise h.ProofFailed(f"schemathesis found problems (exit {result.returncode}); the report is above")
            cases = summary_number(output, r"(\d+) generated") or summary_number(output, r"Test cases:\s*(\d+)")
            h.log(summary_lines(output))
            h.log(f"agent_fuzz: {cases if cases is not None else '?'} generated cases, no 5xx, every answer as documented, "
                  f"agent alive and healthy; {elapsed:.1f} s")
            code = agent.stop()
            if code != 0:
                raise h.ProofFailed(f"the agent exited with {code} on SIGTERM after fuzzing")
        finally:
            agent.kill9()


def summary_number(output, pattern):
    match = re.search(pattern, output)
    return int(match.group(1)) if match else None


def summary_lines(output):
    """Schemathesis' closing summary (the lines after its SUMMARY banner)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "SUMMARY" in line:
            return "\n".join("  " + l for l in lines[index + 1:] if l.strip() and not set(l.strip()) <= set("=_-"))
    return "\n".join("  " + l for l in lines[-12:])


if __name__ == "__main__":
    h.run_proof("agent_fuzz", main)
