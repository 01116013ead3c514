#!/usr/bin/env bash
# Fetches the Python sources of the peers that bench/gpu_prefill.py times against, into DIR/site:
#   fla-core 0.6.0 (fla's Triton kernels; wheel), einops (wheel; both peers import it) and, from the
#   mamba-ssm 2.3.2.post1 sdist, only mamba_ssm/ops/triton and mamba_ssm/utils (the Triton SSD),
#   with empty package __init__ files: the package's own __init__ imports its compiled CUDA extension.
# The GPU machine has no network: copy DIR/site there and put it on PYTHONPATH. DIR is not committed
# (.peers/ is git-ignored):  bench/get-peers.sh .peers
# Needs python3 with pip and access to the Python package index; nothing is built or installed.
set -euo pipefail
dir=${1:?usage: bench/get-peers.sh DIR}
FLA=fla-core==0.6.0
EINOPS=einops==0.8.1
MAMBA_NAME=mamba-ssm
MAMBA_VERSION=2.3.2.post1
INDEX=${PYPI_SIMPLE:-https://pypi.org/simple}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
dl=$dir/dl
rm -rf "$dl" "$dir/site"
mkdir -p "$dl" "$dir/site"

echo "get-peers: wheels $FLA $EINOPS"
python3 -m pip download -q --no-deps --only-binary=:all: -d "$dl" "$FLA" "$EINOPS"
for whl in "$dl"/*.whl; do
  python3 -m zipfile -e "$whl" "$dir/site"
done

# pip download of the mamba-ssm sdist runs its setup.py for metadata, which needs torch: look the
# file up through the index's JSON API (PEP 691) instead and check its sha256.
echo "get-peers: sdist $MAMBA_NAME==$MAMBA_VERSION"
sdist=$(python3 - "$INDEX" "$MAMBA_NAME" "$MAMBA_VERSION" "$dl" <<'EOF'
import hashlib, json, os, sys, urllib.request
index, name, version, dl = sys.argv[1:]
req = urllib.request.Request("%s/%s/" % (index.rstrip("/"), name),
                             headers={"Accept": "application/vnd.pypi.simple.v1+json"})
with urllib.request.urlopen(req, timeout=60) as r:
    listing = json.load(r)
stem = "%s-%s.tar.gz" % (name.replace("-", "_"), version)
files = [f for f in listing["files"] if f["filename"].lower() == stem.lower()]
if len(files) != 1:
    sys.exit("get-peers: %s not found in %s/%s/ (%d matches)" % (stem, index, name, len(files)))
f = files[0]
want = f.get("hashes", {}).get("sha256")
if not want:
    sys.exit("get-peers: the index gives no sha256 for %s" % f["filename"])
path = os.path.join(dl, f["filename"])
with urllib.request.urlopen(f["url"], timeout=300) as r, open(path, "wb") as out:
    out.write(r.read())
got = hashlib.sha256(open(path, "rb").read()).hexdigest()
if got != want:
    os.remove(path)
    sys.exit("get-peers: sha256 mismatch for %s: got %s, index says %s" % (f["filename"], got, want))
print(path)
EOF
)
echo "get-peers: $(basename "$sdist") sha256 verified"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$sdist" -C "$tmp"
src=$(ls -d "$tmp"/*/mamba_ssm)
mkdir -p "$dir/site/mamba_ssm/ops"
cp -r "$src/ops/triton" "$dir/site/mamba_ssm/ops/triton"
cp -r "$src/utils" "$dir/site/mamba_ssm/utils"
: > "$dir/site/mamba_ssm/__init__.py"
: > "$dir/site/mamba_ssm/ops/__init__.py"
rm -rf "$dl"

for pkg in fla einops mamba_ssm/ops/triton mamba_ssm/utils; do
  [ -d "$dir/site/$pkg" ] || { echo "get-peers: $dir/site/$pkg is missing" >&2; exit 1; }
done
echo "get-peers: ready in $dir/site (carry it to the GPU machine; PYTHONPATH=$dir/site:python)"
