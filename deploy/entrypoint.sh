#!/bin/sh
# The image's entry point: runs `portal <command>`.
#
# `serve` (the default) listens on 0.0.0.0:$PORT with $WEB_CONCURRENCY uvicorn
# workers; flags given after `serve` override these. With MIGRATE_ON_START=true
# the schema is upgraded first (compose.yaml uses a separate `migrate` service
# instead, so several app replicas never migrate at once).
set -eu

if [ "$#" -eq 0 ] || [ "$1" = "serve" ]; then
    if [ "$#" -gt 0 ]; then
        shift
    fi
    if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
        portal migrate
    fi
    set -- serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}" "$@"
fi

exec portal "$@"
