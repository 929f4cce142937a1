"""Repositories built with python-tuf's Metadata API that change step by step, and python-tuf's
own client (ngclient.Updater) judging each step: the verdicts the Swift updater must reach on
the same files (Tests/TUFTests/ClientInteropTests.swift, job "client" of tuf_fixtures.py).

Every step writes the repository's files as served (metadata/N.ROLE.json, metadata/timestamp.json,
targets/DIR/SHA256.NAME) into SCENARIO/step-N/ and runs a fresh Updater over them with a fetcher
that reads that directory, as the tuf-conformance client runs one process per command: "refresh",
or "download" of each target named (looked up, kept when the stored file matches, else
downloaded). A step also says what the scenario expects, so a scenario that stops testing what
it claims fails too.
"""
import hashlib
import json
import os
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from securesystemslib.signer import CryptoSigner
from tuf.api import exceptions
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

BASE = "http://repo.test/"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
LATER = NOW + timedelta(days=30)
EARLIER = NOW - timedelta(days=1)
TOP_LEVEL = ["root", "timestamp", "snapshot", "targets"]


class Repository:
    """The metadata of every role, its signers and the files served; `publish` signs a role,
    bumps its version when it was published before and updates its snapshot or timestamp entry."""

    def __init__(self):
        self.signers = {role: [CryptoSigner.generate_ed25519()] for role in TOP_LEVEL}
        root = Root(expires=LATER, consistent_snapshot=True)
        for role in TOP_LEVEL:
            root.add_key(self.signers[role][0].public_key, role)
        self.metadata = {
            "root": Metadata(root),
            "timestamp": Metadata(Timestamp(expires=LATER)),
            "snapshot": Metadata(Snapshot(expires=LATER)),
            "targets": Metadata(Targets(expires=LATER)),
        }
        self.files = {}
        self.published = set()
        self.meta_hashes = False
        self.publish("targets", "snapshot", "timestamp", "root")

    def signed(self, role):
        return self.metadata[role].signed

    def publish(self, *roles):
        for role in roles:
            metadata = self.metadata[role]
            if role in self.published:
                metadata.signed.version += 1
            self.published.add(role)
            metadata.signatures.clear()
            for signer in self.signers[role]:
                metadata.sign(signer, append=True)
            data = metadata.to_bytes(JSONSerializer())
            version = metadata.signed.version
            if role == "root":
                self.files[f"metadata/{version}.root.json"] = data
            elif role == "timestamp":
                self.files["metadata/timestamp.json"] = data
            else:
                self.files[f"metadata/{version}.{quote(role, '')}.json"] = data
                meta = MetaFile(version)
                if self.meta_hashes:
                    meta = MetaFile(version, len(data), {"sha256": hashlib.sha256(data).hexdigest()})
                if role == "snapshot":
                    self.signed("timestamp").snapshot_meta = meta
                else:
                    self.signed("snapshot").meta[f"{role}.json"] = meta

    def add_target(self, role, path, content):
        target = TargetFile.from_data(path, content, ["sha256", "sha512"])
        self.signed(role).targets[path] = target
        directory, slash, name = path.rpartition("/")
        self.files[f"targets/{directory}{slash}{target.hashes['sha256']}.{name}"] = content

    def target_file(self, path):
        directory, slash, name = path.rpartition("/")
        for role in self.metadata.values():
            target = getattr(role.signed, "targets", {}).get(path)
            if target is not None:
                return f"targets/{directory}{slash}{target.hashes['sha256']}.{name}"
        raise KeyError(path)

    def delegate(self, delegator, name, paths=None, prefixes=None, terminating=False):
        signer = self.signers.setdefault(name, [CryptoSigner.generate_ed25519()])[0]
        parent = self.signed(delegator)
        if parent.delegations is None:
            parent.delegations = Delegations({}, roles={})
        role = DelegatedRole(name, [], 1, terminating, paths=paths, path_hash_prefixes=prefixes)
        parent.delegations.roles[name] = role
        parent.add_key(signer.public_key, name)
        self.metadata.setdefault(name, Metadata(Targets(expires=LATER)))

    def rotate(self, role, signers=None):
        """New keys for a top-level role in the root (not yet published)."""
        root = self.signed("root")
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        self.signers[role] = signers or [CryptoSigner.generate_ed25519()]
        for signer in self.signers[role]:
            root.add_key(signer.public_key, role)

    def tamper(self, path, change):
        """Rewrites a served file's JSON, signatures untouched."""
        document = json.loads(self.files[path])
        change(document)
        self.files[path] = json.dumps(document).encode()


class DirectoryFetcher(FetcherInterface):
    def __init__(self, root):
        self.root = root

    def _fetch(self, url):
        try:
            with open(os.path.join(self.root, url[len(BASE):]), "rb") as handle:
                return iter([handle.read()])
        except FileNotFoundError:
            raise exceptions.DownloadHTTPError(f"{url} not found", 404) from None


class Scenario:
    def __init__(self, directory, name, repository):
        self.name = name
        self.directory = os.path.join(directory, name)
        self.repository = repository
        self.metadata_dir = os.path.join(self.directory, "python")
        self.target_dir = os.path.join(self.directory, "python-targets")
        os.makedirs(self.metadata_dir)
        os.makedirs(self.target_dir)
        root = repository.files["metadata/1.root.json"]
        for path in [os.path.join(self.directory, "initial_root.json"), os.path.join(self.metadata_dir, "root.json")]:
            with open(path, "wb") as handle:
                handle.write(root)
        self.steps = []

    def step(self, expect, action, *targets):
        served = os.path.join(self.directory, f"step-{len(self.steps)}")
        for path, data in self.repository.files.items():
            os.makedirs(os.path.dirname(os.path.join(served, path)), exist_ok=True)
            with open(os.path.join(served, path), "wb") as handle:
                handle.write(data)
        outcome = {"action": action, "targets": list(targets), "expect": expect, "ok": True}
        try:
            updater = Updater(
                self.metadata_dir, BASE + "metadata/", self.target_dir, BASE + "targets/", fetcher=DirectoryFetcher(served)
            )
            if action == "refresh":
                updater.refresh()
            for path in targets:
                info = updater.get_targetinfo(path)
                if info is None:
                    raise LookupError(f"{path} not found")
                if not updater.find_cached_target(info):
                    updater.download_target(info)
        except Exception as error:  # the verdict: the Swift side must refuse the step too
            outcome.update(ok=False, error=type(error).__name__, message=str(error))
        outcome["versions"] = self.versions()
        outcome["downloads"] = self.downloads()
        self.steps.append(outcome)

    def versions(self):
        versions = {}
        for name in os.listdir(self.metadata_dir):
            if name.endswith(".json"):
                with open(os.path.join(self.metadata_dir, name), "rb") as handle:
                    versions[name[: -len(".json")]] = json.load(handle)["signed"]["version"]
        return versions

    def downloads(self):
        downloads = {}
        for name in os.listdir(self.target_dir):
            with open(os.path.join(self.target_dir, name), "rb") as handle:
                downloads[name] = hashlib.sha256(handle.read()).hexdigest()
        return downloads


def root_rotation(s, repo):
    s.step(True, "refresh")
    old = repo.signers["root"]
    repo.rotate("root", [CryptoSigner.generate_ecdsa(), CryptoSigner.generate_rsa()])
    repo.signed("root").roles["root"].threshold = 2
    new = repo.signers["root"]
    repo.signers["root"] = old + new
    repo.publish("root")
    repo.signers["root"] = new
    repo.publish("root")
    s.step(True, "refresh")
    repo.signers["root"] = [CryptoSigner.generate_ed25519()]
    repo.publish("root")
    s.step(False, "refresh")
    repo.signers["root"] = new
    repo.signed("root").version -= 1
    repo.publish("root")
    s.step(True, "refresh")
    repo.publish("root", "root")
    repo.files["metadata/5.root.json"] = repo.files.pop("metadata/6.root.json")
    s.step(False, "refresh")


def compromised_key(s, repo):
    root = repo.signed("root")
    for role in ["root", "snapshot"]:
        second = CryptoSigner.generate_ed25519()
        root.add_key(second.public_key, role)
        root.roles[role].threshold = 2
        repo.signers[role].append(second)
    repo.publish("root", "snapshot", "timestamp")
    s.step(True, "refresh")
    both = repo.signers["snapshot"]
    repo.signers["snapshot"] = both[:1]
    repo.publish("snapshot", "timestamp")
    s.step(False, "refresh")
    repo.signers["snapshot"] = both
    repo.publish("snapshot", "timestamp")
    s.step(True, "refresh")
    attacker = CryptoSigner.generate_ed25519()
    first = repo.signers["root"][0]
    repo.rotate("root", [attacker])
    root.roles["root"].threshold = 1
    repo.signers["root"] = [first, attacker]
    repo.publish("root")
    s.step(False, "refresh")


def fast_forward(s, repo):
    for _ in range(5):
        repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "refresh")
    repo.rotate("timestamp")
    repo.rotate("snapshot")
    repo.signed("timestamp").version = 0
    repo.signed("snapshot").version = 0
    repo.publish("root", "snapshot", "timestamp")
    s.step(True, "refresh")
    repo.publish("timestamp")
    s.step(True, "refresh")
    repo.signed("timestamp").version = 0
    repo.publish("timestamp")
    s.step(False, "refresh")


def delegations(s, repo):
    repo.delegate("targets", "venue", paths=["venue/*"], terminating=True)
    repo.delegate("venue", "hall", paths=["venue/hall-*"])
    repo.delegate("targets", "all", paths=["*", "*/*"])
    repo.delegate("targets", "bins-0-7", prefixes=list("01234567"))
    repo.delegate("targets", "bins-8-f", prefixes=list("89abcdef"))
    repo.add_target("targets", "badge.yaml", b"standard\n")
    repo.add_target("venue", "venue/profile.yaml", b"zebra\n")
    repo.add_target("hall", "venue/hall-a.yaml", b"hall a\n")
    repo.add_target("all", "venue/other.yaml", b"behind a terminating delegation\n")
    repo.add_target("all", "notes/readme.txt", b"notes\n")
    repo.add_target("venue", "outside.txt", b"outside the role's paths\n")
    binned = [f"bin/{index}.txt" for index in range(6)]
    for path in binned:
        low = hashlib.sha256(path.encode()).hexdigest()[0] in "01234567"
        repo.add_target("bins-0-7" if low else "bins-8-f", path, path.encode())
    repo.publish("hall", "venue", "all", "bins-0-7", "bins-8-f", "targets", "snapshot", "timestamp")
    s.step(True, "download", "badge.yaml", "venue/profile.yaml", "venue/hall-a.yaml", "notes/readme.txt", *binned)
    s.step(False, "download", "venue/other.yaml")
    s.step(False, "download", "outside.txt")
    s.step(True, "download", "venue/profile.yaml", "bin/0.txt")
    repo.signers["hall"] = [CryptoSigner.generate_ed25519()]
    repo.add_target("hall", "venue/hall-b.yaml", b"hall b\n")
    repo.publish("hall", "snapshot", "timestamp")
    s.step(False, "download", "venue/hall-b.yaml")


def expired(s, repo):
    s.step(True, "refresh")
    chain = ["targets", "snapshot", "timestamp"]
    for role in reversed(chain):
        repo.signed(role).expires = EARLIER
        repo.publish(*chain[chain.index(role) :])
        s.step(False, "refresh")
        repo.signed(role).expires = LATER
    repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "refresh")
    repo.delegate("targets", "venue", paths=["venue/*"])
    repo.add_target("venue", "venue/profile.yaml", b"zebra\n")
    repo.signed("venue").expires = EARLIER
    repo.publish("venue", "targets", "snapshot", "timestamp")
    s.step(False, "download", "venue/profile.yaml")
    repo.signed("root").expires = EARLIER
    repo.publish("root")
    s.step(False, "refresh")


def tampered(s, repo):
    repo.meta_hashes = True
    repo.add_target("targets", "badge.yaml", b"standard\n")
    repo.add_target("targets", "other.yaml", b"other\n")
    repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "download", "badge.yaml")
    repo.publish("snapshot", "timestamp")
    repo.tamper("metadata/3.snapshot.json", lambda document: document["signed"].update({"x-extra": 1}))
    s.step(False, "refresh")
    repo.publish("snapshot", "timestamp")
    repo.files[repo.target_file("badge.yaml")] = b"malicious\n"
    repo.files[repo.target_file("other.yaml")] = b"malice\n"
    s.step(True, "download", "badge.yaml")
    s.step(False, "download", "other.yaml")
    repo.files[repo.target_file("other.yaml")] = b"OTHER\n"
    s.step(False, "download", "other.yaml")
    repo.meta_hashes = False
    repo.publish("targets", "snapshot", "timestamp")
    repo.tamper("metadata/5.snapshot.json", lambda document: document["signed"].update({"expires": "2099-01-01T00:00:00Z"}))
    s.step(False, "refresh")


def rollback(s, repo):
    repo.delegate("targets", "venue", paths=["venue/*"])
    repo.add_target("venue", "venue/a.txt", b"a\n")
    repo.publish("venue", "targets", "snapshot", "timestamp", "timestamp")
    s.step(True, "download", "venue/a.txt")
    repo.signed("timestamp").version = 1
    repo.publish("timestamp")
    s.step(False, "refresh")
    repo.signed("timestamp").version = 3
    repo.signed("snapshot").version = 0
    repo.publish("snapshot", "timestamp")
    s.step(False, "refresh")
    repo.signed("snapshot").version = 2
    repo.signed("targets").version = 0
    repo.publish("targets", "snapshot", "timestamp")
    s.step(False, "refresh")
    repo.signed("targets").version = 2
    repo.publish("targets")
    del repo.signed("snapshot").meta["venue.json"]
    repo.publish("snapshot", "timestamp")
    s.step(False, "refresh")


def mix_and_match(s, repo):
    repo.add_target("targets", "badge.yaml", b"v1\n")
    repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "refresh")
    old_targets = repo.files["metadata/2.targets.json"]
    repo.add_target("targets", "badge.yaml", b"v2\n")
    repo.publish("targets", "snapshot", "timestamp")
    repo.files["metadata/3.targets.json"] = old_targets
    s.step(False, "download", "badge.yaml")
    repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "download", "badge.yaml")
    old_snapshot = repo.files["metadata/4.snapshot.json"]
    repo.publish("snapshot", "timestamp")
    repo.files["metadata/5.snapshot.json"] = old_snapshot
    s.step(False, "refresh")


def endless_data(s, repo):
    repo.add_target("targets", "badge.yaml", b"standard\n")
    repo.publish("targets", "snapshot", "timestamp")
    s.step(True, "refresh")
    repo.publish("timestamp")
    repo.files["metadata/timestamp.json"] += b" " * 20_000
    s.step(False, "refresh")
    repo.publish("timestamp")
    repo.files[repo.target_file("badge.yaml")] = b"standard\n" + b"x" * 100_000
    s.step(False, "download", "badge.yaml")
    repo.publish("root")
    repo.files["metadata/2.root.json"] += b" " * 600_000
    s.step(False, "refresh")


def duplicate_signatures(s, repo):
    repo.publish("snapshot", "timestamp")
    repo.tamper("metadata/2.snapshot.json", lambda document: document["signatures"].append(document["signatures"][0]))
    s.step(False, "refresh")
    repo.publish("snapshot", "timestamp")
    s.step(True, "refresh")


SCENARIOS = [
    root_rotation,
    compromised_key,
    fast_forward,
    delegations,
    expired,
    tampered,
    rollback,
    mix_and_match,
    endless_data,
    duplicate_signatures,
]


def client_scenarios(job):
    results = []
    for scenario in SCENARIOS:
        name = scenario.__name__.replace("_", "-")
        run = Scenario(job["dir"], name, Repository())
        scenario(run, run.repository)
        results.append({"name": name, "steps": run.steps})
    return {"scenarios": results, "base": BASE}
