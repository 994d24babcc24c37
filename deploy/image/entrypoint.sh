#!/bin/sh
# The platform image's entry point (Containerfile): the first argument picks the role. exec, so the
# role is PID 1 and gets the engine's SIGTERM for the ordered shutdown (docs/architecture.md).
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web) exec node --import tsx src/web/server.ts "$@" ;;
  jobs) exec node --import tsx src/jobs-process/main.ts "$@" ;;
  hub) exec node --import tsx src/ws-hub/main.ts "$@" ;;
  migrate) exec node --import tsx scripts/db-migrate.ts "$@" ;;
  backup) exec node --import tsx scripts/backup.ts "$@" ;;
  restore) exec node --import tsx scripts/restore.ts "$@" ;;
  rotate-app-secret) exec node --import tsx scripts/rotate-app-secret.ts "$@" ;;
  *)
    echo "unknown role \"$role\": run the image with web, jobs, hub, migrate, backup, restore or rotate-app-secret" >&2
    exit 64
    ;;
esac
