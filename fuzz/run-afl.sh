#!/usr/bin/env bash
# Coverage-guided fuzzing of one Citrine parser with AFL++ and SharpFuzz (out-of-process mode).
#
#   fuzz/run-afl.sh TARGET SECONDS
#
# Requirements: afl-fuzz (AFL++, e.g. `apt-get install afl++`), the SharpFuzz instrumenter
# (`dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0`), python3, the .NET SDK,
# and the shared vectors ($CITRINE_VECTORS, default ../shared/vectors from the repo root) for the
# seed corpus. Everything it produces (build, corpus, findings) goes under a temporary directory
# ($CITRINE_FUZZ_WORK, default a fresh mktemp dir), never into the repository.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: fuzz/run-afl.sh TARGET SECONDS   (targets: dotnet run --project fuzz/Citrine.Fuzz -- list)" >&2
    exit 2
fi
target=$1
seconds=$2

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vectors=${CITRINE_VECTORS:-$repo/../shared/vectors}
if [[ "$vectors" != /* ]]; then vectors=$repo/$vectors; fi
work=${CITRINE_FUZZ_WORK:-$(mktemp -d -t citrine-afl.XXXXXX)}
export PATH="$PATH:$HOME/.dotnet/tools"

for tool in afl-fuzz sharpfuzz python3 dotnet; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

bin=$work/bin
corpus=$work/corpus
findings=$work/findings
mkdir -p "$bin" "$corpus"
echo "work dir: $work"

# 1. Release build of the fuzz driver into the work dir.
dotnet build "$repo/fuzz/Citrine.Fuzz" -c Release -o "$bin" -p:UseSharedCompilation=false -v quiet -nologo >"$work/build.log" 2>&1 \
    || { grep -E "error" "$work/build.log" | sort -u | head -20 >&2; exit 1; }

if ! dotnet "$bin/Citrine.Fuzz.dll" list | grep -qx "$target"; then
    echo "unknown target '$target'; known:" >&2
    dotnet "$bin/Citrine.Fuzz.dll" list >&2
    exit 2
fi

# Built-in seeds (fuzz/Citrine.Fuzz/Seeds.cs) for targets without vectors: the session and
# execution formats, the protobuf light block, the sealed session state. Written now, while the DLLs are not yet
# instrumented (instrumented code faults outside afl-fuzz).
dotnet "$bin/Citrine.Fuzz.dll" seeds "$target" "$work/builtin-seeds" >/dev/null 2>&1 || true

# 2. Instrument only the Citrine libraries under test (not the driver, SharpFuzz, system or third-party DLLs).
for dll in Citrine.Attestation Citrine.Ics23 Citrine.CometBft Citrine.Crypto Citrine.Chain Citrine.Store Citrine.Contracts Citrine.Enclave; do
    sharpfuzz "$bin/$dll.dll" >"$work/instrument-$dll.log" 2>&1 \
        || { cat "$work/instrument-$dll.log" >&2; exit 1; }
done

# 3. Seed corpus from the shared vectors (decoded where the vectors store hex or embed the bytes).
python3 - "$target" "$vectors" "$corpus" <<'PY'
import base64, glob, json, os, sys

target, vectors, out = sys.argv[1:4]
seeds = []

def add_file(path):
    with open(path, "rb") as f:
        seeds.append(f.read())

def add_hex_file(path):
    with open(path) as f:
        text = "".join(f.read().split())
        seeds.append(bytes.fromhex(text[2:] if text.startswith(("0x", "0X")) else text))

def files(pattern):
    return sorted(glob.glob(os.path.join(vectors, pattern), recursive=True))

def ics23_proofs():
    for path in files("ics23/cosmos-ics23/*/*.json"):
        with open(path) as f:
            doc = json.load(f)
        if isinstance(doc.get("proof"), str):
            yield bytes.fromhex(doc["proof"]), bytes.fromhex(doc.get("key", ""))

if target == "dcap-quote":
    for p in files("dcap/phala-dcap-qvl/*_quote") + files("dcap/phala-dcap-qvl/*_quote_outdated") + files("dcap/**/*.dat"):
        add_file(p)
    for p in files("dcap/**/*quote*.hex"):
        add_hex_file(p)
elif target == "dcap-collateral-qvl":
    for p in files("dcap/**/*_collateral.json"):
        add_file(p)
elif target in ("dcap-tcb-info", "dcap-pcs-response"):
    for p in files("dcap/**/*tcb*.json") + files("dcap/quartz-tee-ra/fmspc_*.json"):
        add_file(p)
elif target == "dcap-qe-identity":
    for p in files("dcap/**/*qe*identity*.json"):
        add_file(p)
elif target == "dcap-crl":
    for p in files("dcap/**/*.crl") + files("dcap/**/*crl*.der"):
        add_file(p)
elif target in ("dcap-certificate", "dcap-pck-extension"):
    for p in files("dcap/**/*.der") + files("dcap/**/*.crt"):
        if "crl" not in os.path.basename(p):
            add_file(p)
elif target == "ics23-commitment-proof":
    seeds.extend(proof for proof, _ in ics23_proofs())
elif target == "ics23-proofops-json":
    for p in files("cometbft/**/abci_query*.json"):
        add_file(p)
    # The abci_query envelope with real proofs from the ICS23 vectors as the single op.
    for proof, key in ics23_proofs():
        op = {"type": "ics23:iavl", "key": base64.b64encode(key).decode(), "data": base64.b64encode(proof).decode()}
        seeds.append(json.dumps({"result": {"response": {"proofOps": {"ops": [op]}}}}).encode())
elif target.startswith("cometbft-"):
    stem = {
        "cometbft-commit": "commit*", "cometbft-validators": "validators*", "cometbft-status": "status*",
        "cometbft-block": "block_at*", "cometbft-blockchain": "blockchain*", "cometbft-genesis": "genesis*",
        "cometbft-abci-query": "abci_query*", "cometbft-light-block": "*",
    }.get(target, "*")
    for p in files("cometbft/tendermint-rs-rpc-fixtures/**/" + stem + ".json"):
        add_file(p)
    if not seeds:
        for p in files("cometbft/tendermint-rs-rpc-fixtures/**/*.json"):
            add_file(p)

elif target == "chain-event-query":
    seeds += [b"tm.event='Tx' AND tx.height>=5", b"transfer.recipient CONTAINS 'citrine1' AND tx.height=3",
              b"wasm._contract_address EXISTS", b"block.height > 10 AND tx.time >= TIME 2026-01-01T00:00:00Z"]
elif target == "chain-rpc-request":
    seeds += [b'{"jsonrpc":"2.0","id":1,"method":"tx_search","params":{"query":"tx.height>1","page":"1","per_page":"30","order_by":"desc"}}',
              b'[{"jsonrpc":"2.0","id":"a","method":"block","params":{"height":"2"}},{"jsonrpc":"2.0","id":2,"method":"status"}]']
elif target == "chain-rpc-uri":
    seeds += [b'query="tx.height>1"&page=1&per_page=30&order_by="asc"', b'path="/store/bank/key"&data=0x01&prove=true&height=3']

for i, s in enumerate(seeds):
    with open(os.path.join(out, "seed-%03d" % i), "wb") as f:
        f.write(s)
print("seed corpus: %d files" % len(seeds))
PY
if [[ -z "$(ls -A "$corpus")" ]]; then
    if [[ -d "$work/builtin-seeds" ]]; then
        cp "$work/builtin-seeds"/* "$corpus"/
        echo "seed corpus: $(ls "$corpus" | wc -l) built-in seeds"
    else
        printf '\0' >"$corpus/seed-000"  # no vectors and no built-in seeds: AFL still needs one input
    fi
fi

# 4. Run AFL++. The target binary is `dotnet` (not AFL-instrumented itself: SharpFuzz reports the
# coverage of the instrumented DLLs), so AFL's binary check is skipped; .NET start-up needs -t large.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
dotnet_bin=$(command -v dotnet)
set +e
afl-fuzz -i "$corpus" -o "$findings" -t 10000 -m none -V "$seconds" -- "$dotnet_bin" "$bin/Citrine.Fuzz.dll" afl "$target" \
    >"$work/afl.log" 2>&1
rc=$?
set -e

stats=$findings/default/fuzzer_stats
if [[ ! -f "$stats" ]]; then
    echo "afl-fuzz exited with $rc and wrote no stats; last lines of $work/afl.log:" >&2
    tail -25 "$work/afl.log" >&2
    exit 1
fi
echo "target: $target  seconds: $seconds  afl-fuzz exit: $rc"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|saved_crashes|saved_hangs|unique_crashes|unique_hangs|stability|bitmap_cvg) ' "$stats"
echo "crashes: $(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)  hangs: $(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)"
echo "findings: $findings"
# The instrumented DLLs in $bin write coverage into AFL's shared memory and fault when run outside
# afl-fuzz, so reproduce with an ordinary (uninstrumented) build:
echo "replay: dotnet run -c Release --project $repo/fuzz/Citrine.Fuzz -- replay $target $findings/default/crashes $findings/default/hangs"
