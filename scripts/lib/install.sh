# Installs what TickIt needs into the checkout (.venv, .tools), reusing what is there.
# Sourced by scripts/start and scripts/test; every step is safe to run again.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
NODE_DIR="$ROOT/.tools/node"
NODE_MAJOR=22

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The virtual environment, with TickIt installed editable; reinstalled when pyproject.toml changes.
install_python() {
  local extras="$1" stamp="$VENV/.tickit-installed-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing Python packages (${extras:-app})"
    local log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e "$ROOT${extras:+[$extras]}"; } >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      echo "Installing Python packages failed; the whole log is in $log" >&2
      return 1
    fi
    echo "$want" > "$stamp"
  fi
}

# Reflex 0.10 wants Node >= 22.22; the npm registry's `node` package brings it without root.
install_node() {
  local node="$NODE_DIR/node_modules/.bin/node"
  if [ ! -x "$node" ] || [ "$("$node" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
    say "Installing Node $NODE_MAJOR into .tools/node"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >/dev/null
  fi
}

# Debian's Chromium for the browser tests (Playwright's own download cannot work offline).
install_chromium() {
  command -v chromium >/dev/null && return 0
  say "Installing Debian's chromium for the browser tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# Debian's Dovecot: the tests poll a real IMAP server (tests/imap_server.py starts its own on a free
# port); the system service the package sets up is not needed and is left stopped.
install_dovecot() {
  [ -x /usr/sbin/dovecot ] && return 0
  say "Installing Debian's dovecot-imapd for the IMAP tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dovecot-imapd >/dev/null
}

# The tests create throw-away databases on the local PostgreSQL; start it if it is installed but down.
ensure_postgres() {
  local url="${TICKIT_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
  "$VENV/bin/python" - "$url" <<'PY' && return 0
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
  if command -v pg_ctlcluster >/dev/null; then
    say "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
}
