"""Process-level helpers for the agent proofs (agent_crash.py, agent_fuzz.py, agent_load.py).

They drive the real `lanyard` executable, never the library: an agent with its own temporary
data directory and configuration, and the printer simulator as a separate process
(`lanyard printer-sim`), so the labels it prints survive the agent being killed. Labels are
read back by decoding their QR codes with zxing-cpp, an implementation independent of ours.

Standard library only, plus zxing-cpp and Pillow for the label decoding (the Makefile's
PY_TOOLS install them in .venv).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TERMINAL = ("printed", "manual_review", "dead_lettered", "cancelled")
PROFILE = "zebra-zd621d-300"
EVENT_SLUG = "devcon-2026"
# Lanyard's UUIDv5 namespace (Sources/Attendees/StableAttendeeID.swift): attendee ids are
# uuid5(namespace, "<source>:<source_id>"), so a script knows each payload's id before sending it.
ATTENDEE_NAMESPACE = uuid.UUID("5006d054-ac38-472a-a0a1-f699f9f3321a")


class ProofFailed(Exception):
    """The property a proof checks does not hold; the message says which and how."""


def log(message):
    print(message, flush=True)


def run_proof(name, main):
    """Runs a proof's main(); a failed property or a harness error exits non-zero with a message."""
    started = time.monotonic()
    try:
        main()
    except ProofFailed as failure:
        print(f"{name}: FAILED: {failure}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr, flush=True)
        sys.exit(130)
    log(f"{name}: passed in {time.monotonic() - started:.1f} s")


def lanyard_binary():
    """LANYARD_BIN, else the debug build, else the release build."""
    explicit = os.environ.get("LANYARD_BIN")
    candidates = [explicit] if explicit else [
        os.path.join(REPOSITORY, ".build", "debug", "lanyard"),
        os.path.join(REPOSITORY, ".build", "release", "lanyard"),
    ]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    raise ProofFailed(f"no lanyard executable (looked at {', '.join(c for c in candidates if c)}); run swift build first")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def attendee_id(source, source_id):
    return str(uuid.uuid5(ATTENDEE_NAMESPACE, f"{source}:{source_id}"))


def registration(source, number, ticket_type="General Admission"):
    """A valid registration, distinct per (source, number)."""
    return {
        "source": source,
        "source_id": f"{source.upper()}-{number:06d}",
        "event_slug": EVENT_SLUG,
        "first_name": f"Proof{number}",
        "last_name": f"Attendee{number}",
        "email": f"{source}-{number}@example.org",
        "company": "Lanyard Proofs",
        "ticket_type": ticket_type,
    }


def rss_kilobytes(pid):
    """VmRSS of a live process, from /proc; None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


# How long one request to the agent may take before a proof calls the agent stuck. Measured
# (docs/benchmarks.md, "The agent at rest"): the debug build beside two CPU hogs answers health,
# job status and badge submission with p99 under 20 ms, so 5 s is hundreds of times what a slow
# or shared machine needs, and running out of it means the agent stopped answering.
REQUEST_TIMEOUT = 5.0
# The same for a client among 50 that keep the agent saturated on purpose (agent_load.py): its
# requests queue behind the other 49's, so it gets three times as long.
LOADED_REQUEST_TIMEOUT = 15.0


class Client:
    """One keep-alive HTTP connection to the agent (one per thread: http.client is not shared)."""

    def __init__(self, port, timeout=REQUEST_TIMEOUT, headers=None):
        self.port = port
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers as a dict with lower-case names, parsed JSON or raw text)."""
        payload = None if body is None else json.dumps(body).encode()
        merged = dict(self.headers)
        if payload is not None:
            merged["Content-Type"] = "application/json"
        merged.update(headers or {})
        for attempt in (0, 1):
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=payload, headers=merged)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed between requests: one fresh try.
                # Not on a fresh connection, where the same error means the server is gone.
                self.close()
                if not reused or attempt == 1:
                    raise
            except BaseException:
                self.close()
                raise
        text = data.decode("utf-8", errors="replace")
        content_type = response.getheader("Content-Type", "")
        parsed = text
        if content_type.startswith("application/json"):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = text
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class PrinterSim:
    """`lanyard printer-sim` in its own process, labels as PNG files in `out`. Its mode is
    changed by writing a line to its standard input, as an operator would type it."""

    def __init__(self, out, mode="ready", profile=PROFILE):
        self.out = out
        os.makedirs(out, exist_ok=True)
        self.process = subprocess.Popen(
            [lanyard_binary(), "printer-sim", "--listen", "127.0.0.1:0", "--profile", profile, "--out", out, "--mode", mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        first = self.process.stdout.readline()
        match = re.search(r"listening on [^ ]*:(\d+),", first)
        if not match:
            self.stop()
            raise ProofFailed(f"printer-sim did not start: {first.strip()!r}")
        self.port = int(match.group(1))
        self.replies = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stdout:
            self.replies.append(line.strip())

    @property
    def address(self):
        return f"tcp://127.0.0.1:{self.port}"

    def set_mode(self, mode):
        self.process.stdin.write(mode + "\n")
        self.process.stdin.flush()

    def labels(self):
        return sorted(name for name in os.listdir(self.out) if name.endswith(".png"))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class PrinterLine:
    """A TCP line between the agent and a printer that a proof can cut in one direction: every
    byte reaches the printer, but its answers can be swallowed, as on a printer whose status
    channel hangs. `silence_after_next_job()` lets answers through until the printer has taken a
    job (a write of at least 1 KiB), then swallows them; `answer()` lets them through again."""

    def __init__(self, printer_port):
        self.printer_port = printer_port
        self.silent = False
        self.silent_after_job = False
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self):
        return f"tcp://127.0.0.1:{self.port}"

    def silence_after_next_job(self):
        self.silent_after_job = True

    def answer(self):
        self.silent = False
        self.silent_after_job = False

    def _accept(self):
        while True:
            try:
                agent_side, _ = self.listener.accept()
            except OSError:
                return
            try:
                printer_side = socket.create_connection(("127.0.0.1", self.printer_port), timeout=5)
            except OSError:
                agent_side.close()
                continue
            printer_side.settimeout(None)
            threading.Thread(target=self._pump, args=(agent_side, printer_side, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(printer_side, agent_side, False), daemon=True).start()

    def _pump(self, source, target, to_printer):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if to_printer:
                    target.sendall(data)
                    if self.silent_after_job and len(data) >= 1024:
                        self.silent = True
                        self.silent_after_job = False
                elif not self.silent:
                    target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()

    def stop(self):
        self.listener.close()


class Agent:
    """`lanyard agent` on a data directory that outlives its processes: start, kill -9 and
    start again on the same directory. Its JSON log lines (standard error) go to one file,
    appended across restarts."""

    def __init__(self, directory, config, log_name="agent.log"):
        self.directory = directory
        self.data = os.path.join(directory, "data")
        os.makedirs(self.data, exist_ok=True)
        self.port = free_port()
        self.config_path = os.path.join(directory, "agent.yaml")
        # YAML is a superset of JSON, so the configuration is written with json.
        with open(self.config_path, "w") as file:
            json.dump(config, file, indent=2)
        self.log_path = os.path.join(directory, log_name)
        self.process = None
        self.starts = 0

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def spawn(self):
        """Starts the agent process without waiting for it to serve."""
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                [lanyard_binary(), "agent", "--config", self.config_path, "--data", self.data,
                 "--listen", f"127.0.0.1:{self.port}", "--log-level", "info"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
        self.starts += 1

    def start(self, timeout=60.0):
        """Starts the agent and waits until /v1/health answers; returns seconds to healthy."""
        started = time.monotonic()
        self.spawn()
        client = Client(self.port, timeout=2.0)
        try:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise ProofFailed(f"the agent exited with {self.process.returncode} while starting; log: {self.tail()}")
                try:
                    status, _, _ = client.request("GET", "/v1/health")
                    if status == 200:
                        return time.monotonic() - started
                except OSError:
                    pass
                time.sleep(0.05)
        finally:
            client.close()
        raise ProofFailed(f"the agent did not answer /v1/health within {timeout:.0f} s; log: {self.tail()}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        """SIGKILL: no shutdown code runs, as in a power cut of the process."""
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait()

    def stop(self, timeout=15.0):
        """SIGTERM (graceful), then SIGKILL if it does not stop in time; returns the exit code."""
        if not self.alive():
            return self.process.returncode if self.process else None
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise ProofFailed(f"the agent did not stop within {timeout:.0f} s of SIGTERM")

    def log_entries(self):
        """Every JSON log line written so far, across restarts."""
        entries = []
        with open(self.log_path, "rb") as file:
            for line in file:
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return entries

    def tail(self, lines=8):
        try:
            with open(self.log_path, "rb") as file:
                return " | ".join(l.decode("utf-8", "replace").strip() for l in file.readlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def agent_config(printer_address, **overrides):
    """An agent configuration printing to `printer_address` with a fast status poll."""
    config = {
        "printer": {"address": printer_address, "profile": PROFILE, "poll_seconds": 0.1, "confirm_seconds": 10},
        "queue": {"max_queued": 500, "retry_base_ms": 100},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    return config


def wait_until_terminal(client, job_ids, timeout, poll=0.25):
    """Polls GET /v1/jobs/:id until every job is terminal; returns {id: job}. Raises with the
    stragglers' states when `timeout` passes."""
    final = {}
    pending = set(job_ids)
    deadline = time.monotonic() + timeout
    last = {}
    while pending:
        for job_id in sorted(pending):
            status, _, body = client.request("GET", f"/v1/jobs/{job_id}")
            if status != 200:
                raise ProofFailed(f"GET /v1/jobs/{job_id} answered {status}: {body}")
            last[job_id] = body["state"]
            if body["state"] in TERMINAL:
                final[job_id] = body
        pending -= set(final)
        if not pending:
            break
        if time.monotonic() > deadline:
            stuck = {job_id: last.get(job_id) for job_id in sorted(pending)[:10]}
            raise ProofFailed(f"{len(pending)} jobs not terminal after {timeout:.0f} s, e.g. {stuck}")
        time.sleep(poll)
    return final


def decode_labels(directory):
    """{file name: [decoded QR texts]} for every label PNG the simulator wrote."""
    import zxingcpp
    from PIL import Image

    decoded = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".png"):
            continue
        with Image.open(os.path.join(directory, name)) as image:
            results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
        decoded[name] = [result.text for result in results]
    return decoded


def attendees_on_labels(directory):
    """(Counter-like dict attendee id -> number of labels, labels without a readable badge QR).
    The badge QR is `event|attendee_id|token|tier` (Sources/Attendees/CheckIn.swift)."""
    counts = {}
    unreadable = []
    for name, texts in decode_labels(directory).items():
        ids = [text.split("|")[1] for text in texts if text.count("|") == 3]
        if len(ids) != 1:
            unreadable.append((name, texts))
            continue
        counts[ids[0]] = counts.get(ids[0], 0) + 1
    return counts, unreadable


class Workspace:
    """A temporary directory removed at the end unless the proof failed or KEEP is set."""

    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=prefix)
        self.keep = bool(os.environ.get("LANYARD_PROOF_KEEP"))

    def __enter__(self):
        return self.path

    def __exit__(self, kind, value, traceback):
        if kind is None and not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            print(f"(kept {self.path} for inspection)", file=sys.stderr, flush=True)
        return False
