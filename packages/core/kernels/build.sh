#!/bin/sh
# Builds fewshot-kernels.wasm from fewshot-kernels.c (plain wasm SIMD128) with Debian's clang-14 and
# wasm-ld-14 (`apt-get install -y clang-14 lld-14`; wabt's wasm-objdump for the check). The .wasm is
# committed and shipped, so users never need this: run it (`npm run build:kernels`) after changing the C.
set -eu
cd "$(dirname "$0")"
CLANG="${CLANG:-clang-14}"
"$CLANG" --target=wasm32 -O3 -msimd128 -mbulk-memory -mnontrapping-fptoint -nostdlib -ffreestanding -fno-builtin \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all -Wl,-z,stack-size=0 \
  -o fewshot-kernels.wasm fewshot-kernels.c
# The module shares tfjs's memory: it must not own any of it (no data segment, no shadow stack).
if command -v wasm-objdump >/dev/null 2>&1; then
  if wasm-objdump -x fewshot-kernels.wasm | grep -q -E '^ *Data\[|global\.set|__stack_pointer'; then
    echo "fewshot-kernels.wasm has a data segment or uses the shadow stack" >&2
    exit 1
  fi
  if wasm-objdump -d fewshot-kernels.wasm | grep -q 'global\.set'; then
    echo "fewshot-kernels.wasm writes a global (shadow stack)" >&2
    exit 1
  fi
fi
echo "built $(pwd)/fewshot-kernels.wasm ($(wc -c < fewshot-kernels.wasm) bytes)"
