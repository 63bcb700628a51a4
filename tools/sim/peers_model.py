#!/usr/bin/env python3
"""A flow-level model of getting one large object onto every node of a cluster (stdlib only).

  tools/sim/peers_model.py [--size-gb 3] [--nodes 100,1000,5000] [--nic-gbit 25] [--agent-mb-s 300]
                           [--upstream-gb-s 1.25] [--conn-mb-s 100] [--owners 1,8,64]
                           [--calibration docs/peers-calibration.txt] [--markdown]

Strategies (time until every node holds the object, and bytes taken from the upstream):
  no-cache      every node's pod pulls from the upstream (pods_per_node pulls per node)
  node-local    one pull per node (Larder without peers)
  owner(k)      this design: one owner per object (k owners with k replicas); the owners pull once each and
                stream to the others through their own NIC, which serves (N-1)/k nodes
  owner-chunks  ownership per chunk (every node owns ~1/N of the object): each node's uplink sends its share once
                to every other node; the upstream sends the object once
  holder-tree   holders serve what they hold (Spegel/Kraken/BitTorrent-like piece swarming); pieces pipeline,
                so the time is about one object at the agent's rate plus log2(N) piece hops

Bandwidths: a node sends and receives at most `agent` bytes/s (min of the NIC and the agent's limit); one upstream
connection moves at most `conn` bytes/s and the upstream as a whole at most `upstream` bytes/s. Each node's
own write is assumed to keep up (NVMe). `--calibration` reads a report of tools/bench/peers.sh (the committed one:
4 nodes x 1 client, BENCH_CLIENTS=1)
and applies its overhead (peers wall / direct wall) to the owner strategies; without it the factor is 1.
"""

import argparse
import math
import re
import sys


def pull_time(pulls, size, conn, upstream):
    """`pulls` parallel pulls of `size` bytes: each at most `conn`, together at most `upstream`."""
    if pulls == 0:
        return 0.0
    return size / min(conn, upstream / pulls)


def model(nodes, size, agent, conn, upstream, owners, overhead, pods_per_node, piece=4 << 20):
    rows = []
    t = pull_time(nodes * pods_per_node, size, conn, upstream)
    rows.append(("no-cache", t, nodes * pods_per_node * size))
    t = pull_time(nodes, size, conn, upstream)
    rows.append(("node-local", t, nodes * size))
    for k in owners:
        k = min(k, nodes)
        fill = pull_time(k, size, conn, upstream)
        # Each owner streams to its (N-k)/k askers while it fills (the asker reads what is committed), so the time
        # is the slower of the owner's own pull and its uplink, shared by its askers.
        serve = (nodes - k) / k * size / agent
        rows.append((f"owner(k={k})", overhead * max(fill, serve, size / agent), k * size))
    # Ownership per chunk: the object arrives once (chunks pulled in parallel by their owners), and each node
    # sends its 1/N share to N-1 others: about one object per uplink.
    fill = size / min(upstream, conn * nodes)
    serve = (nodes - 1) / nodes * size / agent
    rows.append(("owner-chunks", overhead * max(fill, serve, size / agent), size))
    hops = math.ceil(math.log2(nodes)) if nodes > 1 else 0
    # The seed pulls pieces in parallel like the chunk owners; then pieces pipeline down a tree of log2(N) hops.
    rows.append(("holder-tree", max(size / agent, fill) + hops * piece / agent, size))
    return rows


def calibration(path):
    """(overhead, text) from a tools/bench/peers.sh report; (1.0, reason) when absent."""
    try:
        text = open(path).read()
    except OSError:
        return 1.0, f"no calibration ({path} not found): overhead factor 1.0"
    direct = re.search(r"^direct\s+\d+\s+([0-9.]+)", text, re.M)
    peers = re.search(r"^peers\s+\d+\s+([0-9.]+)", text, re.M)
    if not direct or not peers:
        return 1.0, f"no calibration ({path} has no direct/peers rows): overhead factor 1.0"
    factor = float(peers.group(1)) / float(direct.group(1))
    return max(1.0, factor), f"calibrated by {path}: peers wall {peers.group(1)} s / direct {direct.group(1)} s = {factor:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-gb", type=float, default=3.0)
    ap.add_argument("--nodes", default="100,1000,5000")
    ap.add_argument("--nic-gbit", type=float, default=25.0)
    ap.add_argument("--agent-mb-s", type=float, default=300.0, help="per-node serving limit (Kraken's figure: 300)")
    ap.add_argument("--upstream-gb-s", type=float, default=1.25, help="the cluster's whole upstream egress")
    ap.add_argument("--conn-mb-s", type=float, default=100.0, help="one upstream connection")
    ap.add_argument("--owners", default="1,8,64")
    ap.add_argument("--pods-per-node", type=int, default=8)
    ap.add_argument("--calibration", default="docs/peers-calibration.txt")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    size = a.size_gb * 1e9
    agent = min(a.nic_gbit * 1e9 / 8, a.agent_mb_s * 1e6)
    conn, upstream = a.conn_mb_s * 1e6, a.upstream_gb_s * 1e9
    overhead, note = calibration(a.calibration)
    owners = [int(k) for k in a.owners.split(",")]
    print(f"object {a.size_gb:g} GB; per node {agent / 1e6:.0f} MB/s (NIC {a.nic_gbit:g} Gbit/s, agent limit {a.agent_mb_s:g} MB/s); "
          f"upstream {a.upstream_gb_s:g} GB/s total, {a.conn_mb_s:g} MB/s per connection; {a.pods_per_node} pods/node; {note}")
    header = ["strategy"] + [f"{n} nodes: time" for n in map(int, a.nodes.split(","))] + \
             [f"{n} nodes: upstream" for n in map(int, a.nodes.split(","))]
    table = {}
    for n in map(int, a.nodes.split(",")):
        for name, t, b in model(n, size, agent, conn, upstream, owners, overhead, a.pods_per_node):
            table.setdefault(name, {})[n] = (t, b)
    fmt_t = lambda s: f"{s:,.0f} s" if s >= 100 else f"{s:.1f} s"
    fmt_b = lambda b: f"{b / 1e12:,.1f} TB" if b >= 1e12 else f"{b / 1e9:,.0f} GB"
    if a.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    else:
        print("  ".join(f"{h:>22}" for h in header))
    for name, cells in table.items():
        values = [fmt_t(cells[n][0]) for n in cells] + [fmt_b(cells[n][1]) for n in cells]
        if a.markdown:
            print(f"| {name} | " + " | ".join(values) + " |")
        else:
            print(f"{name:>22}  " + "  ".join(f"{v:>22}" for v in values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
