#!/usr/bin/env bash
# Runs the suite on PostgreSQL + Redis when they can be reached (starting them if installed
# but stopped), and on SQLite + the in-process stand-in otherwise, saying so loudly.
set -u
cd "$(dirname "$0")/.."
PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_PORT=6379

pg_up() { (exec 3<>/dev/tcp/$PG_HOST/$PG_PORT) 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null; }

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 0.5; done
fi
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --port $REDIS_PORT --save "" --appendonly no >/dev/null 2>&1
  for _ in 1 2 3 4 5 6 7 8 9 10; do redis_up && break; sleep 0.5; done
fi

if pg_up; then
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@$PG_HOST:$PG_PORT/dvc_test}"
  echo "make test: PostgreSQL at $PG_HOST:$PG_PORT"
else
  echo "################################################################################"
  echo "# make test: PostgreSQL is NOT reachable: the suite runs on SQLite, and the    #"
  echo "# tests marked 'postgres' are SKIPPED.                                          #"
  echo "################################################################################"
fi
if redis_up; then
  export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/15}"
  echo "make test: Redis at $TEST_REDIS_URL"
else
  echo "################################################################################"
  echo "# make test: Redis is NOT reachable: the in-process stand-in is used, and the  #"
  echo "# tests marked 'redis' are SKIPPED.                                             #"
  echo "################################################################################"
fi
# The browser tests (console, public quality report) drive Debian's Chromium; install it when missing and allowed.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: installing chromium and chromium-driver for the browser tests"
    # Another apt may hold the lock for a while (shared machines): wait for it.
    for _ in $(seq 1 6); do
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
        >/dev/null 2>&1 && break
      sleep 10
    done
  fi
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "################################################################################"
    echo "# make test: chromium / chromium-driver NOT installed: the browser tests        #"
    echo "# tests are SKIPPED (apt-get install -y chromium chromium-driver).              #"
    echo "################################################################################"
  fi
fi
# The import contracts first (docs/architecture.md): a broken one fails the run before the suite.
.venv/bin/lint-imports --no-cache || { echo "make test: an import contract is BROKEN (see above)"; exit 1; }
exec .venv/bin/pytest "$@"
