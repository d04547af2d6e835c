#!/usr/bin/env bash
# Writes the rule catalogue of every pack, docs/PACK-katalog.md, from rules/PACK.yaml with
# `plausid rules doc`. Run it after changing a pack and commit the documents with it:
# tests/run.sh (make check) fails while a document differs from its pack.
#
#   scripts/katalog.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
mkdir -p docs
for pack in rules/*.yaml; do
        doc=docs/$(basename "$pack" .yaml)-katalog.md
        "$BUILD/plausid" rules doc "$pack" >"$doc.new"
        mv "$doc.new" "$doc"
        echo "$doc"
done
