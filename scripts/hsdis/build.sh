#!/usr/bin/env bash
# Builds hsdis-amd64.so (HotSpot's disassembler plugin) from hsdis-capstone.c into ${1:-/tmp/hsdis}.
# Needs gcc and libcapstone-dev (Debian: apt-get install -y libcapstone-dev). Then, for example:
#   LD_LIBRARY_PATH=/tmp/hsdis SPARKINFER_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions \
#     -XX:CompileCommand=print,io.sparkinfer.kernels.VectorQuantDot::q8_0x2 -XX:PrintAssemblyOptions=intel" \
#     scripts/engine.sh bench --model M.gguf --pp 16 --tg 32 --batch 1 > asm.txt
# The last "Compiled method (c2)" block of asm.txt is the code that runs.
set -euo pipefail
out="${1:-/tmp/hsdis}"
if [ ! -f /usr/include/capstone/capstone.h ]; then
  echo "capstone headers missing: apt-get install -y libcapstone-dev" >&2
  exit 1
fi
mkdir -p "$out"
gcc -O2 -shared -fPIC -o "$out/hsdis-amd64.so" "$(dirname "$0")/hsdis-capstone.c" -lcapstone
echo "built $out/hsdis-amd64.so; run java with LD_LIBRARY_PATH=$out"
