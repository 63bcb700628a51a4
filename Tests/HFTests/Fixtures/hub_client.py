#!/usr/bin/env python3
"""Drives the real huggingface_hub client against HF_ENDPOINT for Larder's HF tests.

Usage:
  hub_client.py download REPO FILE... [--revision REV]   hf_hub_download each file
  hub_client.py snapshot REPO [--revision REV] [--allow GLOB]...
  hub_client.py info REPO [--revision REV]               model_info(files_metadata=True)
  hub_client.py tree REPO [--revision REV]                list_repo_tree(recursive=True)
  hub_client.py expect-error REPO FILE [--revision REV]   hf_hub_download must fail; prints the error class,
                                                          its HTTP status and its cause's

Prints one JSON object on stdout: {"files": {path: {"sha256": ..., "size": ..., "local": ...}}, ...}.
HF_HOME must point at an empty directory (the caller sets it) so every run starts with a cold client cache.
"""
import argparse
import hashlib
import json
import os
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe(path):
    return {"sha256": sha256(path), "size": os.path.getsize(path), "local": path}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("repo")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--revision", default=None)
    parser.add_argument("--allow", action="append", default=None)
    parser.add_argument("--repo-type", default=None)
    args = parser.parse_args()

    import huggingface_hub
    from huggingface_hub import HfApi, hf_hub_download, snapshot_download

    out = {"version": huggingface_hub.__version__, "endpoint": os.environ.get("HF_ENDPOINT")}
    if args.command == "download":
        out["files"] = {}
        for name in args.files:
            path = hf_hub_download(args.repo, name, revision=args.revision, repo_type=args.repo_type)
            out["files"][name] = describe(path)
    elif args.command == "snapshot":
        folder = snapshot_download(args.repo, revision=args.revision, allow_patterns=args.allow, repo_type=args.repo_type)
        out["folder"] = folder
        out["commit"] = os.path.basename(folder.rstrip("/"))
        out["files"] = {}
        for root, _, names in os.walk(folder):
            for name in names:
                full = os.path.join(root, name)
                out["files"][os.path.relpath(full, folder)] = describe(full)
    elif args.command == "info":
        info = HfApi().model_info(args.repo, revision=args.revision, files_metadata=True)
        out["sha"] = info.sha
        out["siblings"] = {
            s.rfilename: {"size": s.size, "blobId": s.blob_id, "lfs": dict(s.lfs) if s.lfs else None} for s in info.siblings
        }
    elif args.command == "tree":
        entries = HfApi().list_repo_tree(args.repo, revision=args.revision, recursive=True, repo_type=args.repo_type)
        out["entries"] = [
            {"path": e.path, "type": type(e).__name__, "size": getattr(e, "size", None)} for e in entries
        ]
    elif args.command == "expect-error":
        try:
            hf_hub_download(args.repo, args.files[0], revision=args.revision, repo_type=args.repo_type)
        except Exception as error:  # noqa: BLE001 - the test inspects the class
            out["error"] = type(error).__name__
            out["message"] = str(error)[:2000]
            response = getattr(error, "response", None)
            out["status"] = getattr(response, "status_code", None)
            cause = error.__cause__ or error.__context__
            out["cause"] = type(cause).__name__ if cause is not None else None
            out["cause_status"] = getattr(getattr(cause, "response", None), "status_code", None)
        else:
            out["error"] = None
    else:
        parser.error(f"unknown command {args.command}")
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
