#!/usr/bin/env bash
# Starts a fresh app for the browser tests: empty local D1, migrations applied, rate limits lifted
# (every test signs up new users from one IP) and a throwaway JWT secret, since a fresh clone has
# no .dev.vars.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f web/dist/index.html ]; then
  npx vite build web
fi
rm -rf .wrangler/e2e
npx wrangler d1 migrations apply DB --local --persist-to .wrangler/e2e
exec npx wrangler dev --port 8788 --persist-to .wrangler/e2e \
  --var REGISTER_LIMIT_PER_HOUR:10000 --var LOGIN_LIMIT_PER_IP:10000 \
  --var "JWT_SECRET:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
