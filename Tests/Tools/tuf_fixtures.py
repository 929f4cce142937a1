"""TUF metadata made and judged by python-tuf (PyPI `tuf`) and securesystemslib, the independent
implementation the Swift TUF module is checked against (Tests/TUFTests). Reads a JSON list of
jobs on stdin and prints one JSON result per job (job_runner.py).

  {"kind": "repository", "dir": PATH}
      Writes into PATH a root, timestamp, snapshot and targets signed with ed25519, ECDSA P-256
      and RSA-PSS keys, a delegated role signed by its delegated key, unknown fields everywhere a
      signature covers them, tampered copies, and two target files. Reports, as python computes
      them: each key's id and the SHA-256 of its whole canonical key object, each file's SHA-256
      of the canonical signed bytes, and whether python-tuf verifies each file against the role
      that delegates to it (and which key ids signed), and each target file's length and hashes.
  {"kind": "canonical", "documents": [TEXT, ...]}
      securesystemslib's canonical JSON of each document, as hex of its UTF-8 bytes, or the error.
  {"kind": "paths", "cases": [[PATTERN, PATH], ...], "prefixes": [[[PREFIX, ...], PATH], ...]}
      python-tuf's DelegatedRole.is_delegated_path for each pattern and path (or the error it
      raises), and for each list of hash prefixes and path.
  {"kind": "client", "dir": PATH}
      Repositories that change step by step (tuf_client_scenarios.py), each step's served files
      in PATH/SCENARIO/step-N/ (metadata/ and targets/ under their URL names) and the first root
      in PATH/SCENARIO/initial_root.json; python-tuf's ngclient.Updater runs every step, as the
      tuf-conformance client does, and reports for each: success or the exception's class, the
      version of every metadata file it trusts, and the targets it holds.
"""
import copy
import hashlib
import json
import os
from datetime import datetime, timezone

from job_runner import serve
from tuf_client_scenarios import client_scenarios
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey
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
from tuf.api.serialization.json import CanonicalJSONSerializer, JSONSerializer

EXPIRES = datetime(2031, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def canonical_sha256(value):
    return hashlib.sha256(encode_canonical(value).encode("utf-8")).hexdigest()


def repository(job):
    directory = job["dir"]
    signers = {
        "ed25519": CryptoSigner.generate_ed25519(),
        "ecdsa": CryptoSigner.generate_ecdsa(),
        "rsa": CryptoSigner.generate_rsa(),
        "delegate": CryptoSigner.generate_ecdsa(),
    }
    keys = {name: signer.public_key for name, signer in signers.items()}
    # A key with a field no client knows: listed under securesystemslib's default id (which hashes
    # keytype, scheme and keyval only), signing nothing.
    spare = CryptoSigner.generate_ed25519().public_key
    extra = SSlibKey(spare.keyid, spare.keytype, spare.scheme, spare.keyval, {"x-lanyard-note": "kiosk \u00e9/\u0001"})

    root = Root(expires=EXPIRES, consistent_snapshot=True)
    root.unrecognized_fields["x-lanyard"] = {"venue": "Zo\u00eb \"hall\" \\ 2/3", "count": 7}
    for name in ["ed25519", "ecdsa", "rsa"]:
        root.add_key(keys[name], "root")
    root.roles["root"].threshold = 3
    root.add_key(keys["ecdsa"], "timestamp")
    root.add_key(keys["rsa"], "snapshot")
    root.add_key(keys["ed25519"], "targets")
    root.keys[extra.keyid] = extra

    data = {"badge.yaml": b"template: standard\n", "venue-a/profile.yaml": b"printer: zebra\n"}
    targets = Targets(expires=EXPIRES)
    for name, content in data.items():
        target = TargetFile.from_data(name, content, ["sha256", "sha512"])
        target.unrecognized_fields["custom"] = {"kind": "template", "pins": [1, 2]}
        targets.targets[name] = target
    targets.unrecognized_fields["x-lanyard"] = [None, True, False, -9223372036854775808, ""]
    venue = DelegatedRole("venue-a", [keys["delegate"].keyid], 1, True, paths=["venue-a/*", "profiles/venue-a-*.yaml"])
    bins = DelegatedRole("bins", [keys["delegate"].keyid], 1, False, path_hash_prefixes=["0", "8f", "c3"])
    targets.delegations = Delegations({keys["delegate"].keyid: keys["delegate"]}, {"venue-a": venue, "bins": bins})
    targets.delegations.unrecognized_fields["x-order"] = "venue-a first"

    delegated = Targets(expires=EXPIRES)
    delegated.targets["venue-a/profile.yaml"] = TargetFile.from_data("venue-a/profile.yaml", data["venue-a/profile.yaml"])

    snapshot = Snapshot(expires=EXPIRES)
    snapshot.meta["targets.json"] = MetaFile(version=1)
    snapshot.meta["venue-a.json"] = MetaFile(version=1, length=1, hashes={"sha256": "00"})
    timestamp = Timestamp(expires=EXPIRES)
    timestamp.snapshot_meta = MetaFile(version=1, length=123, hashes={"sha256": "ab" * 32})

    def signed(payload, names):
        metadata = Metadata(payload)
        for name in names:
            metadata.sign(signers[name], append=True)
        return metadata

    files = {
        "root.json": ("root", "root", signed(root, ["ed25519", "ecdsa", "rsa"])),
        "timestamp.json": ("timestamp", "root", signed(timestamp, ["ecdsa"])),
        "snapshot.json": ("snapshot", "root", signed(snapshot, ["rsa"])),
        "targets.json": ("targets", "root", signed(targets, ["ed25519"])),
        "venue-a.json": ("venue-a", "targets", signed(delegated, ["delegate"])),
        "bins.json": ("bins", "targets", signed(Targets(expires=EXPIRES), ["delegate"])),
    }

    # Tampered copies: a changed field under intact signatures, a flipped signature byte, the
    # right signature by the wrong key, one signature short of the threshold, and a key's
    # signature given twice to a role that needs two keys.
    tampered_root = copy.deepcopy(files["root.json"][2])
    tampered_root.signed.version = 2
    files["tampered-root.json"] = ("root", "root", tampered_root)
    flipped = copy.deepcopy(files["targets.json"][2])
    signature = flipped.signatures[keys["ed25519"].keyid]
    flipped_hex = ("0" if signature.signature[0] != "0" else "1") + signature.signature[1:]
    flipped.signatures[keys["ed25519"].keyid] = Signature(signature.keyid, flipped_hex)
    files["flipped-targets.json"] = ("targets", "root", flipped)
    wrong_key = copy.deepcopy(files["timestamp.json"][2])
    wrong_key.signatures.clear()
    wrong_key.sign(signers["rsa"])
    files["wrong-key-timestamp.json"] = ("timestamp", "root", wrong_key)
    short = copy.deepcopy(files["root.json"][2])
    del short.signatures[keys["rsa"].keyid]
    files["short-root.json"] = ("root", "root", short)
    changed_target = copy.deepcopy(files["targets.json"][2])
    changed_target.signed.targets["badge.yaml"].length += 1
    files["changed-target-targets.json"] = ("targets", "root", changed_target)
    changed_delegation = copy.deepcopy(files["targets.json"][2])
    changed_delegation.signed.delegations.roles["venue-a"].paths.append("*")
    files["widened-targets.json"] = ("targets", "root", changed_delegation)
    outside = copy.deepcopy(files["venue-a.json"][2])
    outside.signatures.clear()
    outside.sign(signers["ed25519"])
    files["foreign-venue-a.json"] = ("venue-a", "targets", outside)

    serializer = JSONSerializer(compact=False)
    canonical = CanonicalJSONSerializer()
    results = []
    for file, (role, delegator_file, metadata) in files.items():
        raw = serializer.serialize(metadata)
        with open(os.path.join(directory, file), "wb") as handle:
            handle.write(raw)
        payload = canonical.serialize(metadata.signed)
        delegator = files["root.json" if delegator_file == "root" else "targets.json"][2].signed
        result = delegator.get_verification_result(role, payload, metadata.signatures)
        results.append(
            {
                "file": file,
                "role": role,
                "delegator": delegator_file,
                "signed_sha256": hashlib.sha256(payload).hexdigest(),
                "verified": result.verified,
                "signers": sorted(result.signed),
            }
        )

    # A role that needs two keys, given one key's signature twice: python-tuf refuses the file
    # (two signatures with one key id), so it is written by hand; the Swift side counts the key once.
    double = files["root.json"][2].to_dict()
    first = double["signatures"][0]
    double["signatures"] = [first, dict(first)]
    with open(os.path.join(directory, "double-signature-root.json"), "w") as handle:
        json.dump(double, handle)
    try:
        Metadata.from_dict(copy.deepcopy(double))
        double_parsed = True
    except ValueError:
        double_parsed = False

    target_results = []
    for name, content in data.items():
        for label, body in [("intact", content), ("changed", content[:-1] + b"?"), ("longer", content + b"\n")]:
            file = f"target-{label}-{name.replace('/', '_')}"
            with open(os.path.join(directory, file), "wb") as handle:
                handle.write(body)
            target = targets.targets[name]
            try:
                target.verify_length_and_hashes(body)
                valid = True
            except Exception:
                valid = False
            target_results.append({"file": file, "name": name, "valid": valid})

    key_results = {}
    for name, key in list(keys.items()) + [("extra", extra)]:
        key_results[name] = {"keyid": key.keyid, "object_sha256": canonical_sha256(key.to_dict()), "keytype": key.keytype}
    return {
        "keys": key_results,
        "files": results,
        "targets": target_results,
        "double_signature_parsed_by_python": double_parsed,
    }


def canonical_documents(job):
    outputs = []
    for text in job["documents"]:
        try:
            outputs.append({"hex": encode_canonical(json.loads(text)).encode("utf-8").hex()})
        except Exception as error:
            outputs.append({"error": f"{type(error).__name__}: {error}"})
    return {"outputs": outputs}


def paths(job):
    matched = []
    for pattern, path in job["cases"]:
        role = DelegatedRole("r", [], 1, False, paths=[pattern])
        try:
            matched.append(role.is_delegated_path(path))
        except Exception as error:
            matched.append(f"{type(error).__name__}")
    prefixed = []
    for prefixes, path in job["prefixes"]:
        role = DelegatedRole("r", [], 1, False, path_hash_prefixes=prefixes)
        prefixed.append(role.is_delegated_path(path))
    return {"matched": matched, "prefixed": prefixed}


if __name__ == "__main__":
    serve({"repository": repository, "canonical": canonical_documents, "paths": paths, "client": client_scenarios})
