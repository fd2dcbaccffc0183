#!/usr/bin/env python3
"""make_corpus.py: writes the seed corpora of tests/fuzz/corpus/<target>/.

Run from anywhere: `python3 tests/fuzz/make_corpus.py`. It rewrites the seeds
it knows (same names, same bytes each time) and leaves other files alone:
crash reproducers added by hand (named crash-*) stay. Each seed is a small
valid input in the target's own format (see the comment at the top of each
tests/fuzz/fuzz_*.c), so the fuzzer starts past the outer checks.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# The dev network's genesis as `hearthd -dev` wrote it (two real addresses).
DEV_VALIDATOR = "dhth120p9cqlardqt7s296yqwqkysw2p330dwn8k0nt29pncy27qgl94sjchw36"
DEV_FAUCET = "dhth1x4cej9c7apnxynkx2z6f7xamncxae6el7x52mkslustks3mu9kpqmyj2wg"
MARKET_PARAMS = (
    '{"block_time_ms": 1000, "challenge_blocks": 10, "dispute_bond": 1000000,'
    ' "lease_grace_blocks": 10, "match_bids_per_block": 1000,'
    ' "match_offers_per_bid": 1000, "max_inline_input_bytes": 262144,'
    ' "reveal_blocks": 10, "slash_missed_deadline_ppm": 10000,'
    ' "slash_wrong_result_ppm": 50000}'
)
DEV_GENESIS = (
    '{\n  "balances": [\n'
    '    {"address": "%s", "amount": 1000000000000000},\n'
    '    {"address": "%s", "amount": 1000000000}\n  ],\n'
    '  "chain_id": "hearth-dev",\n  "genesis_time_ms": 1795764184329,\n'
    '  "params": {\n    "market": %s,\n'
    '    "max_block_bytes": 4194304, "max_block_txs": 5000, "max_tx_bytes": 1048576,\n'
    '    "max_validators": 100, "min_fee_per_byte": 1, "min_provider_bond": 1000000000,\n'
    '    "slash_fraction_ppm": 50000, "unbonding_blocks": 20\n  },\n'
    '  "validators": [{"address": "%s", "bond": 1000000000000}]\n}\n'
) % (DEV_FAUCET, DEV_VALIDATOR, MARKET_PARAMS, DEV_VALIDATOR)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(n, v):
    return varint(n << 3) + varint(v)


def field_bytes(n, b):
    return varint(n << 3 | 2) + varint(len(b)) + b


def tx_body_transfer():
    transfer = field_bytes(1, bytes(range(32))) + field_varint(2, 1000)
    return (field_bytes(1, b"hearth-dev") + field_bytes(2, bytes([2] * 32))
            + field_varint(3, 1) + field_varint(4, 10000) + field_bytes(10, transfer))


def codec_seeds():
    body = tx_body_transfer()
    tx = field_bytes(1, body) + field_bytes(2, bytes([7] * 64))
    ping = field_bytes(2, field_varint(1, 42))
    get_peers = field_bytes(10, b"")
    # RoundState{height 5, round 2, step PREVOTE, pol_round -1 (zigzag 1)}
    round_state = field_bytes(15, field_varint(1, 5) + field_varint(2, 2) + field_varint(3, 2)
                              + field_varint(4, 1))
    bond_body = (field_bytes(1, b"hearth-dev") + field_bytes(2, bytes([2] * 32))
                 + field_varint(3, 2) + field_varint(4, 10000)
                 + field_bytes(11, field_varint(1, 5000)))
    return {
        "tx": bytes([0]) + tx,
        "tx-body-transfer": bytes([1]) + body,
        "tx-body-bond": bytes([1]) + bond_body,
        "p2p-ping": bytes([8]) + ping,
        "p2p-get-peers": bytes([8]) + get_peers,
        "p2p-round-state": bytes([8]) + round_state,
    }


def bech32m_seeds():
    return {
        "dev-validator": DEV_VALIDATOR.encode(),
        "dev-faucet": DEV_FAUCET.encode(),
        "upper": DEV_FAUCET.upper().encode(),
        "bip350-short": b"a1lqfn3a",
        "bip350-long": b"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    }


def p2p_seeds():
    hello = b"HRTH" + struct.pack(">I", 1) + bytes(range(1, 33))
    return {
        "hello": bytes([0]) + hello,
        "frame-header": bytes([1]) + struct.pack(">I", 40) + bytes(40),
        "round-trip": bytes([2, 0, 0, 5]) + b"hello" + bytes([3]) + b"abc",
        "round-trip-flip": bytes([2, 0, 7, 5]) + b"hello" + bytes([0]),
    }


def rpc_seeds():
    echo = (b'{"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":"x","i":-1,'
            b'"u":2,"n":1.5,"b":true,"o":{},"a":[1],"x":null}}')
    return {
        "echo": bytes([1]) + echo,
        "echo-positional": bytes([1]) + b'{"jsonrpc":"2.0","id":"a","method":"echo","params":["s",1]}',
        "batch": bytes([1]) + b'[{"jsonrpc":"2.0","id":1,"method":"help"},'
                 b'{"jsonrpc":"2.0","method":"uptime"},{"jsonrpc":"2.0","id":2,"method":"fail"}]',
        "write-public": bytes([0]) + b'{"jsonrpc":"2.0","id":3,"method":"write","params":{"s":"y"}}',
        "notification": bytes([1]) + b'{"jsonrpc":"2.0","method":"echo","params":{"s":""}}',
    }


# Faucet transfers of nonces 4 and 5 on hearth-dev (tests/functional/txbatch;
# fuzz_rpc_node's setup commits nonces 1 to 3): the first is admitted once.
NODE_TX4 = ("0a590a0a6865617274682d6465761220357199171ee866624ec650b49f1bbb9e0ddceb3ff1a8adda1fe41768"
            "477c2d82180420e80752240a20756b5e681b50569be0667943dc8103a83df26906040f14b7a7e2ba0373dc"
            "46ee100112408cd9ff64c1f3778ebc84c06e1cd6ec86f1371cbca7b180b7c1c24894e7eb34ad0e6f80f9f5"
            "056b46d67b4420c5bbd5b84a8eaae9eaad080a988477090c4d2e24")
NODE_TX4_ID = "c1aea82622fc9e7f296682693884bf4c5fcb76961134c0667d8c09d5cb02b8c8"
NODE_TX5 = ("0a590a0a6865617274682d6465761220357199171ee866624ec650b49f1bbb9e0ddceb3ff1a8adda1fe41768"
            "477c2d82180520e80752240a20756b5e681b50569be0667943dc8103a83df26906040f14b7a7e2ba0373dc"
            "46ee100112408ffb9b76b378fa4d13e3562d7be41e3a3ce9930517ca41fef16a1af1ae9d05a7c90373ca1c"
            "27b784e58041c0118b6231813b0bc0e8cc242338a2341e2842750a")


def node_rpc_seeds():
    """One request per method of node/rpc_tables.c and the builtins (full
    access unless named public-*), a batch, the legacy form and a denied
    method."""
    zero = "00" * 32

    def req(method, params=None, rid=1):
        body = '{"jsonrpc":"2.0","id":%d,"method":"%s"' % (rid, method)
        if params is not None:
            body += ',"params":' + params
        return body + "}"

    calls = {
        "getblockcount": None, "getbestblockhash": None, "getblockhash": "[1]",
        "getblockchaininfo": None, "getgenesis": None, "getblock": "[2]",
        "getblock-hex": '{"block":1,"verbosity":0}', "getblockheader": "[3,false]",
        "getvalidators": "[]", "estimatefee": None,
        "decoderawtransaction": '["%s"]' % NODE_TX5,
        "getmempoolinfo": None, "getrawmempool": None,
        "sendrawtransaction": '["%s"]' % NODE_TX4,
        "gettransaction": '["%s"]' % NODE_TX4_ID,
        "getnonce": '["%s"]' % DEV_FAUCET, "getaccount": '{"address":"%s"}' % DEV_FAUCET,
        "listoffers": "[null,10]", "listbids": '["%s"]' % DEV_FAUCET,
        "listleases": '["%s","provider",5]' % DEV_FAUCET, "getoffer": '["%s"]' % zero,
        "getbid": '["%s"]' % zero, "explainbid": '["%s"]' % zero,
        "getlease": '["%s"]' % zero, "getprovider": '["%s"]' % DEV_VALIDATOR,
        "getjob": '["%s"]' % zero, "getjobresult": '["%s",3,"%s"]' % (zero, "11" * 64),
        "getnetworkinfo": None, "getpeerinfo": None,
        "addnode": '["127.0.0.1:9","onetry"]', "disconnectnode": '["127.0.0.1:9"]',
        "help": '["getblock"]', "uptime": None, "stop": None,
    }
    seeds = {}
    for name, params in calls.items():
        seeds[name] = bytes([1]) + req(name.split("-")[0], params).encode()
    seeds["public-sendrawtransaction"] = bytes([0]) + req("sendrawtransaction",
                                                          '["%s"]' % NODE_TX5).encode()
    seeds["batch"] = bytes([1]) + ("[%s,%s,%s]" % (
        req("sendrawtransaction", '["%s"]' % NODE_TX4, 1),
        req("sendrawtransaction", '["%s"]' % NODE_TX5, 2),
        '{"jsonrpc":"2.0","method":"getblockcount"}')).encode()
    seeds["legacy"] = bytes([1]) + b'{"id":7,"method":"getblockheader","params":[1]}'
    return seeds


def genesis_seeds():
    compact = DEV_GENESIS.replace("\n", "").replace("  ", "")
    return {
        "dev": DEV_GENESIS.encode(),
        "dev-compact": compact.encode(),
        "two-validators": DEV_GENESIS.replace(
            '"validators": [{"address": "%s", "bond": 1000000000000}]' % DEV_VALIDATOR,
            '"validators": [{"address": "%s", "bond": 1000000000000},'
            ' {"address": "%s", "bond": 5}]' % (DEV_VALIDATOR, DEV_FAUCET)).encode(),
    }


def config_seeds():
    conf = (b"# hearth.conf\ndev=1\nrpcport=18000\nprinttoconsole=0\n"
            b"connect=a:1\nconnect=b:2\n[dev]\nport=19000\nrpcbind=127.0.0.1\n"
            b"[main]\n  maxconnections = 8  \n")
    args = b"\0".join([b"-dev", b"-rpcport=18001", b"--connect=x:1", b"-nolisten",
                       b"-datadir=/tmp/x", b"-debug=p2p,rpc"])
    return {
        "file": bytes([0]) + conf,
        "args": bytes([1]) + args,
        "file-and-args": bytes([2]) + conf + b"\0" + args,
        "read-file": bytes([3]) + conf,
    }


def manifest_seeds():
    head = bytes([16, 0x10, 0x00])  # 16 entries, 4096 * 16 bytes
    file_abc = bytes([0, 0, 2]) + b"abc" + bytes([0o644 & 0xFF, 5 << 1]) + b"hello"
    exe = bytes([0, 0, 2]) + b"run" + bytes([0o100, 2 << 1]) + b"#!"
    sub = bytes([1, 0, 2]) + b"dir" + bytes([0o755 & 0xFF])
    inner = bytes([0, 1, 0]) + b"f" + bytes([0o600 & 0xFF, 4 << 1]) + b"data"
    link = bytes([2, 0, 3]) + b"link" + bytes([3]) + b"../"
    sparse = bytes([0, 1, 0]) + b"s" + bytes([0, 1, 0x00, 0x40])
    fifo = bytes([3, 0, 0]) + b"p"
    deep = b"".join(bytes([1, i, 0]) + b"d" + bytes([0o700 & 0xFF]) for i in range(70))
    return {
        "files": head + file_abc + exe,
        "tree": head + sub + inner + link + sparse,
        "fifo": head + file_abc + fifo,
        "too-many": bytes([1, 0x10, 0]) + file_abc + exe,
        "deep": head + deep + bytes([0, 70, 0]) + b"x" + bytes([0, 0]),
    }


def handshake_seeds():
    agent = b"agent"
    return {
        "initiator-honest": bytes([1, 0]),
        "responder-honest": bytes([0, 0]),
        "built-handshake": bytes([0, 2, 0x00, 0x00]),
        "with-agent": bytes([1, 2, 0x80, 0x09, 0x01, 0x02, len(agent)]) + agent,
        "self-key": bytes([0, 2, 0x08, 0x00]),
        "wrong-role": bytes([1, 2, 0x20, 0x00]),
        "honest-then-session": bytes([0, 0, 1, 0, 4]) + b"ping" + bytes([2, 0, 0x80]),
        "oversize": bytes([0, 5, 0, 16]),
    }


def ledger_seeds():
    # ops (tests/fuzz/fuzz_ledger.c): 0 transfer, 1 bond, 2 unbond, 3 offer,
    # 4 cancel offer, 5/6 bid, 7 cancel bid, 8/9 receipt, 10 commit,
    # 11 reveal, 12 dispute, 13 end block, 14 empty blocks, 15 raw tx.
    # A tx: op, sender, variation flags (0: none), then its fields.
    offer1 = [3, 1, 0, 0x01, 0x0A, 10, 10, 60]
    offer2 = [3, 2, 0, 0x01, 0x0A, 12, 10, 60]
    bid = [5, 4, 0, 0x00, 0x09, 20, 60, 1, 50]
    bid2 = [5, 5, 0, 0x00, 0x09, 20, 60, 2, 50]
    receipt = [8, 1, 0, 0, 0, 7, 0, 10]
    return {
        "bank": bytes([0, 0, 0, 6, 100, 1, 4, 0, 50, 2, 1, 0, 20, 13, 14, 4,
                       0, 6, 0, 0, 1]),
        "market-receipt": bytes(offer1 + bid + [13] + receipt + [13, 14, 7]),
        "market-dispute": bytes(offer1 + bid + [13] + receipt + [13]
                                + [12, 4, 0, 0, 0, 1, 13, 14, 7]),
        "market-replicas": bytes(offer1 + offer2 + bid2 + [13]
                                 + [10, 1, 0, 0, 0, 5, 10, 2, 0, 0, 1, 5, 13]
                                 + [11, 1, 0, 0, 0, 5, 0, 10, 11, 2, 0, 0, 1, 5, 0, 10,
                                    13, 14, 7]),
        "market-cancel": bytes(offer1 + [13, 4, 1, 0, 0, 5, 4, 0, 0x00, 0x09, 5, 60, 1, 50,
                                         13, 7, 4, 0, 0, 13]),
        "variations": bytes([0, 0, 0x01, 129, 6, 100, 0, 1, 0x02, 3, 6, 100,
                             0, 2, 0x0C, 6, 100, 0, 3, 0x30, 6, 100, 0, 4, 0xC0, 9, 6, 100,
                             15, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 13]),
    }


SEEDS = {
    "fuzz_codec": codec_seeds,
    "fuzz_bech32m": bech32m_seeds,
    "fuzz_p2p": p2p_seeds,
    "fuzz_rpc_dispatch": rpc_seeds,
    "fuzz_genesis": genesis_seeds,
    "fuzz_config": config_seeds,
    "fuzz_result_manifest": manifest_seeds,
    "fuzz_handshake": handshake_seeds,
    "fuzz_ledger": ledger_seeds,
    "fuzz_rpc_node": node_rpc_seeds,
}


def main():
    for target, make in SEEDS.items():
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        for name, data in make().items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
