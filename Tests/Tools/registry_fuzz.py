"""Fuzz proof: schemathesis generates requests from docs/registry-openapi.yaml, valid and invalid,
against a running `lanyard registry serve` (a repository made with the CLI, an agent token and an
admin token configured, each sent where the description asks for it), and checks every answer
against the same description.

Before fuzzing, two kiosks report (envelopes signed with Ed25519 through the openssl command) and
upload check-ins and print results, so the fleet view has agents to describe; the repository's
real versions, release, file names and entity tags are offered to the generator beside random ones, so
files are served whole, in part and as 304, not only refused.

It holds when schemathesis finds nothing (no 5xx, every status code, content type, header and
body as documented, no documented header sent twice), the server is still alive and healthy
afterwards, no fuzzed report was accepted (the fleet holds at most the seeded kiosks, each with
its own key and its one report, and the signed example of the description; forgetting one is a
documented operation), and it stops cleanly on SIGTERM.

Usage: registry_fuzz.py [--max-examples 100] [--seed 20262] [--schemathesis PATH]
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_fuzz as fuzz  # noqa: E402
import agent_harness as h  # noqa: E402

AGENT_TOKEN = "fuzz-agent-token-0123456789"
ADMIN_TOKEN = "fuzz-admin-token-0123456789"
REPORT_TYPE = "application/vnd.lanyard.agent-report+json"
# Kiosks that report before fuzzing; the generator is offered the first one's id.
KIOSKS = ("fuzz-kiosk-1", "fuzz-kiosk-2")
# PKCS#8 and SubjectPublicKeyInfo prefixes of an Ed25519 key (RFC 8410): the raw 32 bytes follow.
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def lanyard(*arguments):
    result = subprocess.run([h.lanyard_binary(), *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise h.ProofFailed(f"lanyard {' '.join(arguments[:2])} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def make_repository(directory):
    """Keys, root version 1 and the standard template published: what an operator does first."""
    keys = {role: os.path.join(directory, f"{role}.key") for role in ("root", "targets", "timestamp")}
    repository = os.path.join(directory, "repository")
    lanyard("registry", "keygen", *keys.values())
    lanyard("registry", "init", "--repository", repository, "--root-key", keys["root"],
            "--targets-key", keys["targets"], "--timestamp-key", keys["timestamp"])
    lanyard("registry", "publish", "--repository", repository, "--targets-key", keys["targets"],
            "--timestamp-key", keys["timestamp"], "--template", os.path.join(h.REPOSITORY, "Templates", "standard"),
            "--label", "fuzz")
    return repository, keys


class Registry:
    """`lanyard registry serve` with the tokens in its environment (out of the process list)."""

    def __init__(self, directory, repository, keys):
        self.port = h.free_port()
        self.log_path = os.path.join(directory, "registry.log")
        # With the targets key, publications through the server (the admin token holds the
        # publisher role) are signed, so a valid one is answered 200 and not 503.
        self.command = [h.lanyard_binary(), "registry", "serve", "--repository", repository,
                        "--state", os.path.join(directory, "state"), "--listen", f"127.0.0.1:{self.port}",
                        "--timestamp-key", keys["timestamp"], "--publish-key", keys["targets"], "--log-level", "notice"]
        self.process = None

    def start(self, timeout=60.0):
        environment = dict(os.environ, LANYARD_REGISTRY_AGENT_TOKEN=AGENT_TOKEN, LANYARD_REGISTRY_ADMIN_TOKEN=ADMIN_TOKEN)
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=log_file, env=environment, start_new_session=True)
        client = h.Client(self.port, timeout=2.0)
        started = time.monotonic()
        try:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise h.ProofFailed(f"the registry exited with {self.process.returncode} while starting; log: {self.tail()}")
                try:
                    if client.request("GET", "/v1/health")[0] == 200:
                        return
                except OSError:
                    pass
                time.sleep(0.05)
        finally:
            client.close()
        raise h.ProofFailed(f"the registry did not answer /v1/health within {timeout:.0f} s; log: {self.tail()}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout=15.0):
        if not self.alive():
            return self.process.returncode if self.process else None
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise h.ProofFailed(f"the registry did not stop within {timeout:.0f} s of SIGTERM")

    def kill9(self):
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait()

    def tail(self, lines=8):
        try:
            with open(self.log_path, "rb") as file:
                return " | ".join(l.decode("utf-8", "replace").strip() for l in file.readlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


class KioskKey:
    """An Ed25519 key that signs through `openssl pkeyutl` (the venv has no crypto library)."""

    def __init__(self, directory, name):
        self.path = os.path.join(directory, f"{name}.der")
        with open(self.path, "wb") as file:
            file.write(PKCS8_PREFIX + os.urandom(32))
        public = self.openssl("pkey", "-inform", "DER", "-in", self.path, "-pubout", "-outform", "DER")
        if not public.startswith(SPKI_PREFIX) or len(public) != len(SPKI_PREFIX) + 32:
            raise h.ProofFailed(f"openssl wrote an unexpected Ed25519 public key: {public.hex()}")
        self.public = public[len(SPKI_PREFIX):]
        self.key_id = hashlib.sha256(self.public).hexdigest()

    @staticmethod
    def openssl(*arguments, data=None):
        try:
            result = subprocess.run(["openssl", *arguments], input=data, capture_output=True)
        except FileNotFoundError:
            raise h.ProofFailed("the openssl command is needed to sign the kiosks' reports") from None
        if result.returncode != 0:
            raise h.ProofFailed(f"openssl {arguments[0]} failed: {result.stderr.decode(errors='replace').strip()}")
        return result.stdout

    def envelope(self, payload):
        """The signed envelope of `payload` (bytes), as docs/registry-server.md describes it."""
        message = f"LANYARDv1 {len(REPORT_TYPE)} {REPORT_TYPE} {len(payload)} ".encode() + payload
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(self.path)) as file:
            file.write(message)
            file.flush()
            signature = self.openssl("pkeyutl", "-sign", "-rawin", "-keyform", "DER", "-inkey", self.path, "-in", file.name)
        return {"payloadType": REPORT_TYPE, "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": self.key_id, "sig": signature.hex()}]}


def utc(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seed_kiosk(client, directory, agent_id, digest):
    """One kiosk's signed report, two check-ins and a print result, each answer checked."""
    key = KioskKey(directory, agent_id)
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "agent_id": agent_id, "sent_at": utc(now), "public_key": key.public.hex(), "targets_version": 1,
        "freshness": "fresh", "queue_depth": 2,
        "templates": [{"name": "templates/standard", "label": "fuzz", "digest": digest, "state": "active"}],
        "printers": [{"id": "zebra-1", "activity": "idle", "ready": False, "conditions": ["paper_out"]}],
        "rollbacks": [{"name": "templates/standard", "from": "<b>next</b>", "to": "fuzz", "reason": "render failures",
                       "at": utc(now - datetime.timedelta(hours=1))}],
    }
    expect(client, "POST", f"/v1/agents/{agent_id}/report", key.envelope(json.dumps(report).encode()),
           lambda body: body.get("outcome") == "first_report" and body.get("key_id") == key.key_id)
    scans = [{"nonce": f"{agent_id}-scan-{n}", "attendee_id": f"att-{n}", "event": h.EVENT_SLUG, "kiosk_id": agent_id,
              "scanned_at": utc(now - datetime.timedelta(minutes=n))} for n in (1, 2)]
    expect(client, "POST", f"/v1/agents/{agent_id}/check-ins", {"items": scans},
           lambda body: body.get("accepted") == 2 and len(body.get("resolutions", [])) == 2)
    results = [{"nonce": f"{agent_id}-job-1", "job_id": 1, "attendee_id": "att-1", "state": "printed",
                "finished_at": utc(now)}]
    expect(client, "POST", f"/v1/agents/{agent_id}/print-results", {"items": results},
           lambda body: body == {"accepted": 1, "duplicates": 0})
    return key


def expect(client, method, path, body, holds):
    status, _, answer = client.request(method, path, body=body)
    if status != 200 or not isinstance(answer, dict) or not holds(answer):
        raise h.ProofFailed(f"{method} {path} answered {status}: {answer}")
    return answer


def signed_example(spec):
    """{agent id: (key id, sent_at)} of the description's signed report example, which the
    examples phase sends and the registry rightly accepts."""
    with open(spec) as file:
        operation = yaml.safe_load(file)["paths"]["/v1/agents/{agent_id}/report"]["post"]
    trusted = {}
    for example in operation["requestBody"]["content"]["application/json"].get("examples", {}).values():
        envelope = example["value"]
        report = json.loads(base64.b64decode(envelope["payload"]))
        trusted[report["agent_id"]] = (envelope["signatures"][0]["keyid"], report["sent_at"])
    return trusted


def fleet(port):
    """{agent id: fleet entry}."""
    client = h.Client(port, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    try:
        status, _, body = client.request("GET", "/v1/fleet")
    finally:
        client.close()
    if status != 200:
        raise h.ProofFailed(f"GET /v1/fleet answered {status}: {body}")
    return {agent["agent_id"]: agent for agent in body["agents"]}


def repository_values(repository, port):
    """The repository's real names, for the generator: the release of templates/standard (its
    digest, its 16-digit name and the consistent-snapshot names of the files at its top), the
    versions of the metadata, and the entity tags of the files the registry serves."""
    metadata = os.path.join(repository, "metadata")
    with open(os.path.join(metadata, "timestamp.json")) as file:
        snapshot_version = json.load(file)["signed"]["meta"]["snapshot.json"]["version"]
    with open(os.path.join(metadata, f"{snapshot_version}.snapshot.json")) as file:
        targets_version = json.load(file)["signed"]["meta"]["targets.json"]["version"]
    with open(os.path.join(metadata, f"{targets_version}.targets.json")) as file:
        targets = json.load(file)["signed"]["targets"]
    names = [name for name in targets if name.startswith("templates/standard/")]
    if not names:
        raise h.ProofFailed(f"targets version {targets_version} lists no file of templates/standard")
    digest = targets[names[0]]["custom"]["lanyard"]["digest"]
    release = names[0].split("/")[2]
    files = sorted(f"{targets[name]['hashes']['sha256']}.{name.split('/', 3)[3]}" for name in names if name.count("/") == 3)
    paths = ["metadata/timestamp.json", "metadata/1.root.json", f"metadata/{snapshot_version}.snapshot.json",
             f"metadata/{targets_version}.targets.json"] + [f"targets/templates/standard/{release}/{name}" for name in files]
    client = h.Client(port)
    tags = []
    try:
        for path in paths:
            status, headers, _ = client.request("HEAD", f"/repository/{path}")
            if status != 200 or "etag" not in headers:
                raise h.ProofFailed(f"HEAD /repository/{path} answered {status} {headers}")
            tags.append(headers["etag"])
    finally:
        client.close()
    versions = sorted({"1", str(snapshot_version), str(targets_version)})
    return {"digest": digest, "release": release, "files": files, "versions": versions, "tags": tags}


def toml_list(values):
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def schemathesis_config(path, values):
    """Tokens by security scheme, so each operation gets the one its description names; the
    repository's real values offered beside random ones; notify's waits kept short by a hook
    (registry_fuzz_hooks.py)."""
    hooks = os.path.join(os.path.dirname(os.path.abspath(__file__)), "registry_fuzz_hooks.py")
    tags = values["tags"]
    with open(path, "w") as file:
        file.write(f"""hooks = {json.dumps(hooks)}

[auth.openapi.agentToken]
bearer = "{AGENT_TOKEN}"

[auth.openapi.adminToken]
bearer = "{ADMIN_TOKEN}"

[auth.openapi.adminBasic]
username = "operator"
password = "{ADMIN_TOKEN}"

[dictionaries.units]
values = ["standard"]

[dictionaries.releases]
values = {toml_list([values["release"]])}

[dictionaries.files]
values = {toml_list(values["files"])}

[dictionaries.tags]
values = {toml_list(tags + ['*', 'W/' + tags[0], tags[0] + ', "other"'])}

[dictionaries.ranges]
values = ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0", "bytes=99999999-", "bytes=5-2", "bytes=0-1,4-5", "items=0-1"]

[dictionaries.versions]
values = {toml_list(values["versions"])}

[dictionaries.kiosks]
values = {toml_list(KIOSKS[:1])}

[parameters]
"path.unit" = {{ dictionary = "units", probability = 0.5 }}
"path.release" = {{ dictionary = "releases", probability = 0.5 }}
"path.file" = {{ dictionary = "files", probability = 0.5 }}
"path.version" = {{ dictionary = "versions", probability = 0.5 }}
"path.agent_id" = {{ dictionary = "kiosks", probability = 0.3 }}
"header.If-None-Match" = {{ dictionary = "tags", probability = 0.3 }}
"header.If-Range" = {{ dictionary = "tags", probability = 0.5 }}
"header.Range" = {{ dictionary = "ranges", probability = 0.3 }}
""")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=100, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20262)
    parser.add_argument("--schemathesis", help="the schemathesis executable (default: beside this Python)")
    args = parser.parse_args()
    tool = fuzz.schemathesis_command(args.schemathesis)
    spec = os.path.join(h.REPOSITORY, "docs", "registry-openapi.yaml")
    h.log(f"registry_fuzz: {spec} with {args.max_examples} examples per operation, seed {args.seed}")
    with h.Workspace("lanyard-registry-fuzz-") as directory:
        repository, keys = make_repository(directory)
        registry = Registry(directory, repository, keys)
        registry.start()
        try:
            values = repository_values(repository, registry.port)
            client = h.Client(registry.port, headers={"Authorization": f"Bearer {AGENT_TOKEN}"})
            for kiosk in KIOSKS:
                seed_kiosk(client, directory, kiosk, values["digest"])
            client.close()
            seeded = fleet(registry.port)
            if sorted(seeded) != sorted(KIOSKS):
                raise h.ProofFailed(f"the fleet lists {sorted(seeded)} after the kiosks reported")
            client = h.Client(registry.port, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            status, _, page = client.request("GET", "/fleet")
            client.close()
            if status != 200 or "<b>next</b>" in page or "&lt;b&gt;next&lt;/b&gt;" not in page:
                raise h.ProofFailed(f"/fleet does not show the kiosks' reports escaped ({status})")

            config = os.path.join(directory, "schemathesis.toml")
            schemathesis_config(config, values)
            started = time.monotonic()
            command = [
                tool, "--config-file", config, "run", spec, "--url", f"http://127.0.0.1:{registry.port}",
                "--checks", ",".join(fuzz.CHECKS + ["documented_headers_sent_once"]),
                "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                "--phases", "examples,coverage,fuzzing", "--workers", "1",
                "--request-timeout", "10", "--no-color", "--suppress-health-check", "too_slow",
                "--generation-database", "none", "--report", "junit", "--report-dir", os.path.join(directory, "schemathesis"),
            ]
            result = subprocess.run(command, capture_output=True, text=True, cwd=directory, env=dict(os.environ, NO_COLOR="1"))
            elapsed = time.monotonic() - started
            output = result.stdout + result.stderr
            if not registry.alive():
                raise h.ProofFailed(f"the registry died during fuzzing (exit {registry.process.returncode}); log: {registry.tail()}")
            status, _, body = h.Client(registry.port).request("GET", "/v1/health")
            if status != 200:
                raise h.ProofFailed(f"the registry is not healthy after fuzzing: {status} {body}")
            if result.returncode != 0:
                sys.stderr.write(output[-12000:])
                raise h.ProofFailed(f"schemathesis found problems (exit {result.returncode}); the report is above")
            example = signed_example(spec)
            trusted = ("key_id", "sent_at", "reports_received", "first_seen")
            for agent_id, entry in fleet(registry.port).items():
                before = seeded.get(agent_id)
                if before is not None and all(entry[field] == before[field] for field in trusted):
                    continue
                if example.get(agent_id) == (entry["key_id"], entry["sent_at"]) and entry["reports_received"] == 1:
                    continue
                raise h.ProofFailed(f"a fuzzed report was accepted: {agent_id} is now {entry}, was {before}")
            operations = fuzz.summary_number(output, r"Tested:\s*(\d+)")
            cases = fuzz.summary_number(output, r"(\d+) generated") or fuzz.summary_number(output, r"Test cases:\s*(\d+)")
            h.log(fuzz.summary_lines(output))
            h.log(f"registry_fuzz: {operations if operations is not None else '?'} operations, "
                  f"{cases if cases is not None else '?'} generated cases, no 5xx, every answer as documented, "
                  f"no fuzzed report accepted, registry alive and healthy; {elapsed:.1f} s")
            code = registry.stop()
            if code != 0:
                raise h.ProofFailed(f"the registry exited with {code} on SIGTERM after fuzzing; log: {registry.tail()}")
        finally:
            registry.kill9()


if __name__ == "__main__":
    h.run_proof("registry_fuzz", main)
