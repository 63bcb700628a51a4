#!/usr/bin/env python3
"""Fixtures for the OCI mirror tests.

  image DIR TAG --layers N --size BYTES [--platforms linux/amd64,linux/arm64] [--seed S]
      Writes an OCI image layout in DIR (created or extended) with TAG pointing at an image of N random gzip
      layers (one per platform: an image index when several platforms are given). Prints a JSON summary:
      {"tag":…, "digest": manifest-or-index digest, "platforms": {"os/arch": {"manifest":…, "config":…, "layers": [...]}}}.
  token PORTFILE CERTFILE [--user U --password P]
      A Docker token server on a free loopback port (written to PORTFILE): GET /token?service=&scope= answers a
      JWT (ES256, self-signed certificate in CERTFILE, x5c header) granting the scope; with --user it demands
      those basic credentials (401 otherwise). Each issued token is printed as a line "token <scope>".
  stall PORTFILE
      Accepts connections on a free loopback port and never answers.
Needs python3-jwt and python3-cryptography (Debian) for `token` only.
"""
import argparse, base64, datetime, gzip, hashlib, http.server, io, json, os, random, socket, sys, tarfile, threading, time, urllib.parse


def blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer(rng, size, name):
    payload = rng.randbytes(size)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload))
    diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
    compressed = gzip.compress(raw.getvalue(), compresslevel=1, mtime=0)
    return compressed, diff_id


def image(args):
    layout = args.dir
    os.makedirs(layout, exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    rng = random.Random(args.seed)
    platforms = args.platforms.split(",")
    summary = {"tag": args.tag, "platforms": {}}
    manifests = []
    for platform in platforms:
        os_name, arch = platform.split("/")
        layers, diff_ids = [], []
        for i in range(args.layers):
            data, diff_id = layer(rng, args.size, f"{arch}-layer-{i}.bin")
            descriptor = blob(layout, data)
            descriptor["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
            layers.append(descriptor)
            diff_ids.append(diff_id)
        config = {"architecture": arch, "os": os_name, "rootfs": {"type": "layers", "diff_ids": diff_ids},
                  "config": {"Labels": {"seed": str(args.seed)}}}
        config_descriptor = blob(layout, json.dumps(config, sort_keys=True).encode())
        config_descriptor["mediaType"] = "application/vnd.oci.image.config.v1+json"
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_descriptor, "layers": layers}
        manifest_descriptor = blob(layout, json.dumps(manifest, sort_keys=True).encode())
        manifest_descriptor["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
        manifest_descriptor["platform"] = {"os": os_name, "architecture": arch}
        manifests.append(manifest_descriptor)
        summary["platforms"][platform] = {"manifest": manifest_descriptor["digest"], "config": config_descriptor["digest"],
                                          "layers": [l["digest"] for l in layers]}
    if len(manifests) == 1:
        top = dict(manifests[0])
        del top["platform"]
    else:
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}
        top = blob(layout, json.dumps(index, sort_keys=True).encode())
        top["mediaType"] = "application/vnd.oci.image.index.v1+json"
    top["annotations"] = {"org.opencontainers.image.ref.name": args.tag}
    index_path = os.path.join(layout, "index.json")
    existing = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            existing = json.load(f)
    existing["manifests"] = [m for m in existing["manifests"]
                             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != args.tag] + [top]
    with open(index_path, "w") as f:
        json.dump(existing, f)
    summary["digest"] = top["digest"]
    print(json.dumps(summary))


def serve(port_file, handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


def token(args):
    import jwt
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "larder-test-token-issuer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    with open(args.cert, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    expected = None
    if args.user:
        expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path != "/token":
                self.send_error(404)
                return
            if expected is not None and self.headers.get("Authorization") != expected:
                body = b'{"details":"incorrect username or password"}'
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            access = []
            for scope in query.get("scope", []):
                parts = scope.split(":")
                if len(parts) >= 3:
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")})
            issued = int(time.time())
            claims = {"iss": "larder-test-issuer", "sub": args.user or "", "aud": query.get("service", [""])[0],
                      "exp": issued + 300, "nbf": issued - 10, "iat": issued, "jti": os.urandom(8).hex(), "access": access}
            signed = jwt.encode(claims, key, algorithm="ES256", headers={"x5c": [x5c]})
            body = json.dumps({"token": signed, "expires_in": 300,
                               "issued_at": datetime.datetime.fromtimestamp(issued, datetime.timezone.utc).isoformat()}).encode()
            with lock:
                print("token", " ".join(query.get("scope", [])), flush=True)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    serve(args.port_file, Handler)


def stall(args):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("image")
    p.add_argument("dir"); p.add_argument("tag")
    p.add_argument("--layers", type=int, default=3); p.add_argument("--size", type=int, default=256 * 1024)
    p.add_argument("--platforms", default="linux/amd64"); p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("token")
    p.add_argument("port_file"); p.add_argument("cert")
    p.add_argument("--user"); p.add_argument("--password")
    p = sub.add_parser("stall")
    p.add_argument("port_file")
    args = parser.parse_args()
    {"image": image, "token": token, "stall": stall}[args.command](args)


if __name__ == "__main__":
    main()
