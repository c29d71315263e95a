#!/usr/bin/env bash
# Installs what is missing, builds zload, runs the demo job (configs/shop) on a fresh SQLite
# store and prints its views.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${ZLOAD_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZLOAD_BUILD_TESTS=OFF \
  -DZLOAD_BUILD_BENCHMARKS=OFF > /dev/null
cmake --build "$build" --parallel "$(nproc)" --target zload

job=configs/shop/job.toml
rm -f configs/shop/out/shop.db configs/shop/out/shop.db-wal configs/shop/out/shop.db-shm
"$build/loader/zload" run "$job"
echo
echo "== zload show basket_totals"
"$build/loader/zload" show basket_totals "$job"
echo
echo "== sqlite3 configs/shop/out/shop.db 'SELECT * FROM product_sales ORDER BY name'"
sqlite3 -header -column configs/shop/out/shop.db 'SELECT * FROM product_sales ORDER BY name'
