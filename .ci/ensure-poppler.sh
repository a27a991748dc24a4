#!/usr/bin/env bash
# Makes sure poppler-utils (pdftotext, pdftoppm, pdfinfo) exist for the PDF
# tests (internal/documents, internal/server documents tests): installs
# Debian's poppler-utils package when running as root, otherwise says in
# one line what to install.
set -euo pipefail
if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "pdftotext not found: installing Debian's poppler-utils package for the PDF tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq poppler-utils >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq poppler-utils >/dev/null; }
  command -v pdftotext >/dev/null 2>&1 && exit 0
fi
echo "pdftotext not found: install it with 'apt-get install -y poppler-utils' (as root)" >&2
exit 1
