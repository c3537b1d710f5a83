#!/usr/bin/env bash
# Renders the README previews from a real build: the first worksheet page and both sides of
# the first flashcard sheet, as PNG files in docs/images/.
#   scripts/previews.sh [PACK]      (default: content/deir-ez-zor-2014)
set -euo pipefail
cd "$(dirname "$0")/.."
pack=${1:-content/deir-ez-zor-2014}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

.venv/bin/quizgen build "$pack" --out "$out" --only worksheets,flashcards --quiet
built=$(find "$out" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | head -n 1)  # not the render cache
mkdir -p docs/images
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$built/worksheet-A.pdf" docs/images/worksheet
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$built/flashcards.pdf" docs/images/flashcards
pdftoppm -png -r 72 -f 2 -l 2 -singlefile "$built/flashcards.pdf" docs/images/flashcards-back
echo "wrote docs/images/worksheet.png, docs/images/flashcards.png, docs/images/flashcards-back.png"
