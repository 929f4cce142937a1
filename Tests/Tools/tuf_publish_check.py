"""Repositories written by the Swift TUF publisher (Sources/TUF/Publishing), consumed by
python-tuf 6's ngclient and securesystemslib, the independent implementation
(Tests/TUFTests/PythonTUFPublishTests.swift). Reads a JSON list of jobs on stdin and prints one
JSON result per job (job_runner.py).

  {"kind": "client", "repository": DIR, "metadata_dir": DIR, "root": FILE,
   "targets": [{"path": P, "contents_hex": HEX}, ...]}
      An ngclient Updater whose trusted metadata lives in metadata_dir (seeded with the root FILE
      when it holds none, so a later job with the same metadata_dir continues from what the
      previous one trusted) refreshes against the repository directory, then looks up and
      downloads each target and compares its bytes. The fetcher serves the directory as a plain
      web server would: the URL path after the base is the file name, not decoded. Reports
      whether the refresh passed (or the error), each target's outcome, the versions now trusted,
      and every URL requested.
  {"kind": "keys", "keys": [{"file": PATH, "message_hex": HEX, "signature_hex": HEX}, ...]}
      For each key file: securesystemslib's default key id of the public key it lists; whether
      the private key, loaded by `cryptography`, has that public key (as securesystemslib writes
      it); a signature of the message by securesystemslib's CryptoSigner with it; and whether
      securesystemslib verifies the Swift signature given.
  {"kind": "python_metadata", "dir": DIR}
      Writes into DIR root.json, timestamp.json, snapshot.json and targets.json as python-tuf
      writes them, with keys of each type, delegations by paths and by hash prefixes, custom
      target fields and unknown fields wherever the specification lets them be, for the Swift
      types to read and write back byte for byte.
"""
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from job_runner import serve
from securesystemslib.signer import CryptoSigner, SSlibKey
from securesystemslib.signer._utils import compute_default_keyid
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
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

BASE = "http://repository.test/"


class DirectoryFetcher(FetcherInterface):
    """Serves files of a directory by URL, recording each URL asked for."""

    def __init__(self, directory):
        self.directory = directory
        self.requests = []

    def _fetch(self, url):
        self.requests.append(url)
        if not url.startswith(BASE):
            raise exceptions.DownloadHTTPError(f"not this repository: {url}", 404)
        path = os.path.join(self.directory, url[len(BASE):])
        if not os.path.isfile(path):
            raise exceptions.DownloadHTTPError(f"no file {url}", 404)
        with open(path, "rb") as handle:
            return iter([handle.read()])


def error_text(error):
    return f"{type(error).__name__}: {error}"


def client(job):
    metadata_dir = job["metadata_dir"]
    os.makedirs(metadata_dir, exist_ok=True)
    if not os.path.exists(os.path.join(metadata_dir, "root.json")):
        shutil.copyfile(job["root"], os.path.join(metadata_dir, "root.json"))
    fetcher = DirectoryFetcher(job["repository"])
    result = {"refreshed": False, "targets": []}
    with tempfile.TemporaryDirectory() as downloads:
        try:
            updater = Updater(
                metadata_dir=metadata_dir,
                metadata_base_url=BASE,
                target_dir=downloads,
                target_base_url=BASE + "targets/",
                fetcher=fetcher,
            )
            updater.refresh()
            result["refreshed"] = True
        except Exception as error:
            result["refresh_error"] = error_text(error)
            result["requests"] = fetcher.requests
            return result
        result["trusted"] = {
            role: Metadata.from_file(os.path.join(metadata_dir, f"{role}.json")).signed.version
            for role in ["root", "timestamp", "snapshot", "targets"]
        }
        for index, target in enumerate(job["targets"]):
            outcome = {"path": target["path"], "found": False, "matches": False}
            try:
                info = updater.get_targetinfo(target["path"])
                if info is not None:
                    outcome["found"] = True
                    outcome["custom"] = info.custom
                    downloaded = updater.download_target(info, os.path.join(downloads, str(index)))
                    with open(downloaded, "rb") as handle:
                        outcome["matches"] = handle.read() == bytes.fromhex(target["contents_hex"])
            except Exception as error:
                outcome["error"] = error_text(error)
            result["targets"].append(outcome)
    result["requests"] = fetcher.requests
    return result


def keys(job):
    results = []
    for entry in job["keys"]:
        with open(entry["file"], encoding="utf-8") as handle:
            stored = json.load(handle)
        keyval = stored["keyval"]
        keyid = compute_default_keyid(stored["keytype"], stored["scheme"], keyval)
        public = SSlibKey(keyid, stored["keytype"], stored["scheme"], keyval)
        if stored["keytype"] == "ed25519":
            private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(stored["private"]))
        else:
            private = load_pem_private_key(stored["private"].encode(), password=None)
        derived = SSlibKey.from_crypto(private.public_key(), scheme=stored["scheme"])
        message = bytes.fromhex(entry["message_hex"])
        signature = CryptoSigner(private, public).sign(message)
        try:
            public.verify_signature(
                type(signature)(keyid, entry["signature_hex"]), message
            )
            verified = True
        except Exception:
            verified = False
        results.append(
            {
                "keyid": keyid,
                "file_keyid": stored["keyid"],
                "public_matches": derived.keyval == keyval and derived.keytype == stored["keytype"],
                "python_signature_hex": signature.signature,
                "verifies_swift_signature": verified,
            }
        )
    return {"keys": results}


def python_metadata(job):
    directory = job["dir"]
    expires = datetime(2032, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    signers = [CryptoSigner.generate_ed25519(), CryptoSigner.generate_ecdsa(), CryptoSigner.generate_rsa()]
    root = Root(expires=expires, consistent_snapshot=True)
    for signer in signers:
        root.add_key(signer.public_key, "root")
    root.add_key(signers[0].public_key, "targets")
    root.add_key(signers[1].public_key, "snapshot")
    root.add_key(signers[2].public_key, "timestamp")
    root.roles["root"].unrecognized_fields["x-note"] = "three of them"
    root.unrecognized_fields["x-venue"] = {"name": "Zo\u00eb \"hall\"\n", "floors": [1, 2]}

    targets = Targets(expires=expires)
    target = TargetFile.from_data("badges/\u00e9t\u00e9.yaml", b"template: summer\n", ["sha256", "sha512"])
    target.unrecognized_fields["custom"] = {"kind": "template", "pins": [3, None, True]}
    targets.targets[target.path] = target
    venue = DelegatedRole("venue-a", [signers[1].public_key.keyid], 1, True, paths=["venue-a/*"])
    venue.unrecognized_fields["x-why"] = "the venue signs its own"
    bins = DelegatedRole("bins-0-7", [signers[0].public_key.keyid], 1, False, path_hash_prefixes=["0", "1", "2", "3"])
    targets.delegations = Delegations(
        {signer.public_key.keyid: signer.public_key for signer in signers[:2]}, {"venue-a": venue, "bins-0-7": bins}
    )
    targets.delegations.unrecognized_fields["x-order"] = "venue first"
    snapshot = Snapshot(expires=expires)
    snapshot.meta["venue-a.json"] = MetaFile(version=3, length=10, hashes={"sha256": "ab" * 32})
    timestamp = Timestamp(expires=expires)
    timestamp.snapshot_meta = MetaFile(version=4, length=123, hashes={"sha256": "cd" * 32, "sha512": "ef" * 64})
    timestamp.unrecognized_fields["x-online"] = True

    for name, payload, signer in [
        ("root.json", root, signers[0]),
        ("targets.json", targets, signers[0]),
        ("snapshot.json", snapshot, signers[1]),
        ("timestamp.json", timestamp, signers[2]),
    ]:
        metadata = Metadata(payload)
        metadata.sign(signer)
        metadata.to_file(os.path.join(directory, name))
    return {}


if __name__ == "__main__":
    serve({"client": client, "keys": keys, "python_metadata": python_metadata})
