"""A real S3 API on loopback for the run tier tests: moto in server mode with signature checking on.

Starts moto's threaded server on a free 127.0.0.1 port with IAM authentication enabled (INITIAL_NO_AUTH_ACTION_COUNT:
only the set-up calls below go unauthenticated), creates a user allowed s3:* with an access key, creates the bucket
with those credentials, writes {"port", "accessKeyId", "secretAccessKey"} to --keys-file and then the port to
--port-file (the harness waits for the port file), and serves until killed. Wrong keys or signatures get moto's 403.
"""
import argparse
import json
import os
import signal
import sys
import time

# Set before moto is imported: the first three requests (user, policy, key) are allowed without credentials.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"

import boto3  # noqa: E402  (moto[server] brings it)
from moto.server import ThreadedMotoServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--keys-file", required=True)
parser.add_argument("--bucket", required=True)
args = parser.parse_args()

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
endpoint = f"http://127.0.0.1:{port}"

setup = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **setup)
iam.create_user(UserName="larder")
iam.put_user_policy(UserName="larder", PolicyName="s3-all", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}))
key = iam.create_access_key(UserName="larder")["AccessKey"]

s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=args.bucket)

with open(args.keys_file + ".tmp", "w") as f:
    json.dump({"port": port, "accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}, f)
os.rename(args.keys_file + ".tmp", args.keys_file)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(port))
os.rename(args.port_file + ".tmp", args.port_file)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(3600)
