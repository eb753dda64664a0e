#!/usr/bin/env bash
# Starts a fresh app for the browser tests: empty local D1, migrations applied, rate limits lifted
# (every test signs up new users from one IP) and a throwaway JWT secret, since a fresh clone has
# no .dev.vars.
#
# The Worker runs from a snapshot of its sources taken now (.wrangler/e2e-app), because
# `wrangler dev` rebuilds and restarts on every change to them: an edit elsewhere in the tree
# during a run would otherwise drop every socket and fail requests in flight ("worker restarted
# mid-request"). The static assets stay a link to web/dist, so a rebuilt web app is served as is.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if [ ! -f web/dist/index.html ]; then
  npx vite build web
fi
STATE="$ROOT/.wrangler/e2e"
APP="$ROOT/.wrangler/e2e-app"
rm -rf "$STATE" "$APP"
mkdir -p "$APP/web"
cp -R worker durable-objects migrations wrangler.toml package.json "$APP/"
[ -f tsconfig.json ] && cp tsconfig.json "$APP/"
ln -s "$ROOT/node_modules" "$APP/node_modules"
ln -s "$ROOT/web/dist" "$APP/web/dist"
cd "$APP"
npx wrangler d1 migrations apply DB --local --persist-to "$STATE"
# A throwaway VAPID key pair, as `npm run dev` makes one, so the app offers push notifications.
eval "$(npx node --input-type=module -e 'import { vapidKeyPair, LOCAL_VAPID_SUBJECT } from "'"$ROOT"'/worker/scripts/local-dev.mjs";
for (const [k, v] of Object.entries({ ...vapidKeyPair(), VAPID_SUBJECT: LOCAL_VAPID_SUBJECT })) console.log(`${k}=${v}`);')"
exec npx wrangler dev --port "${1:-8788}" --persist-to "$STATE" \
  --var REGISTER_LIMIT_PER_HOUR:10000 --var LOGIN_LIMIT_PER_IP:10000 \
  --var "JWT_SECRET:$(head -c 32 /dev/urandom | base64 | tr -d '\n')" \
  --var "VAPID_PUBLIC_KEY:$VAPID_PUBLIC_KEY" --var "VAPID_PRIVATE_KEY:$VAPID_PRIVATE_KEY" --var "VAPID_SUBJECT:$VAPID_SUBJECT"
