#!/usr/bin/env bash
# Builds the Citrine enclave for SGX under Gramine (docs/enclave.md, "gramine-sgx"):
#   1. dotnet publish the citrine CLI (framework-dependent, Release) into $OUT/app;
#   2. render citrine-enclave.manifest.template with gramine-manifest;
#   3. sign it with gramine-sgx-sign (prints MRENCLAVE and MRSIGNER for the contract's config).
# Run it with: gramine-sgx $OUT/citrine-enclave   (from $OUT)
# Needs: the .NET SDK, Gramine (gramine-manifest, gramine-sgx-sign, gramine-sgx) and a signing
# key (gramine-sgx-gen-private-key). Environment overrides are listed below with their defaults.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

: "${OUT:=$repo/artifacts/gramine}"
: "${CONFIGURATION:=Release}"
: "${DOTNET_ROOT:=$(dirname "$(readlink -f "$(command -v dotnet)")")}"
: "${ARCH_LIBDIR:=/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)}"
: "${SGX_SIGNER_KEY:=$HOME/.config/gramine/enclave-key.pem}"
: "${LOG_LEVEL:=error}"
: "${LISTEN:=127.0.0.1:7000}"
: "${SEALED_HOST_DIR:=$OUT/sealed}"
# .NET reserves address space generously: 4 GiB of enclave, the GC heap capped at 1 GiB of it.
: "${ENCLAVE_SIZE:=4G}"
: "${GC_HEAP_HARD_LIMIT:=0x40000000}"
# The runtime's thread pool, Kestrel and the GC threads all need TCS slots.
: "${MAX_THREADS:=64}"
: "${ISV_PROD_ID:=1}"
: "${ISV_SVN:=1}"

mkdir -p "$OUT" "$SEALED_HOST_DIR"

dotnet publish "$repo/src/Citrine.Cli/Citrine.Cli.csproj" \
  --configuration "$CONFIGURATION" --runtime linux-x64 --self-contained false \
  -p:UseAppHost=false --output "$OUT/app"

# gramine.runtimedir() is a function: render it once, so the template needs only plain variables.
runtimedir="$(printf 'runtimedir = "{{ gramine.runtimedir() }}"\n' | gramine-manifest | sed -n 's/^runtimedir = "\(.*\)"$/\1/p')"

gramine-manifest \
  -Dlog_level="$LOG_LEVEL" \
  -Darch_libdir="$ARCH_LIBDIR" \
  -Ddotnet_root="$DOTNET_ROOT" \
  -Dgramine_runtimedir="$runtimedir" \
  -Dapp_dir=/app \
  -Dapp_host_dir="$OUT/app" \
  -Dsealed_host_dir="$SEALED_HOST_DIR" \
  -Dlisten="$LISTEN" \
  -Denclave_size="$ENCLAVE_SIZE" \
  -Dgc_heap_hard_limit="$GC_HEAP_HARD_LIMIT" \
  -Dmax_threads="$MAX_THREADS" \
  -Disv_prod_id="$ISV_PROD_ID" \
  -Disv_svn="$ISV_SVN" \
  "$here/citrine-enclave.manifest.template" "$OUT/citrine-enclave.manifest"

gramine-sgx-sign \
  --manifest "$OUT/citrine-enclave.manifest" \
  --key "$SGX_SIGNER_KEY" \
  --output "$OUT/citrine-enclave.manifest.sgx"

echo "built $OUT/citrine-enclave.manifest.sgx; list its MRENCLAVE/MRSIGNER (gramine-sgx-sigstruct-view $OUT/citrine-enclave.sig) in the contract config"
