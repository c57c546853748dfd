#!/bin/sh
# The peers `make bench` compares against: Recoll (recollindex, recollq) and poppler-utils
# (pdftotext, which Recoll runs on PDFs). Debian/Ubuntu, as root or through sudo. Run by hand
# or by `make bench-peers`; never by `make test`. SQLite FTS5 needs nothing: Python's sqlite3.
set -eu
missing=""
command -v recollindex >/dev/null 2>&1 || missing="$missing recollcmd"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -z "$missing" ]; then
    echo "peers already installed: recollindex, recollq, pdftotext"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
