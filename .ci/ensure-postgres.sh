#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) exist:
# installs Debian's postgresql package when running as root, otherwise
# says in one line what to install. The project starts its own private
# clusters from these binaries; nothing here starts a system service.
set -euo pipefail
have_pg() {
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}
if have_pg; then
  exit 0
fi
if [ -n "${DATABASE_URL:-}" ] && [ "${1:-}" = "--optional" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server binaries not found: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  # The package may start a system cluster; the project never uses it.
  have_pg && exit 0
fi
echo "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install them with 'apt-get install -y postgresql' (as root), or set DATABASE_URL to an existing database" >&2
exit 1
