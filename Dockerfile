# syntax=docker/dockerfile:1
#
# Kubegram Server image. Build: `docker build -t kubegram-server .`
# Run: `docker compose up` (docker-compose.yml), or Kubernetes (deploy/kubernetes/).
#
# The contract below is checked by test/deploy/image.test.ts: Bun pinned to the version in
# package.json's devDependencies, production dependencies only, a non-root user, DATA_DIR as a
# volume, the health check on the liveness route, EXPOSE = the default PORT of src/config.ts,
# and no secret in the image (they come from the environment at run time; NODE_ENV=production
# refuses to start without them).

# --- dependencies: resolved from package-lock.json, dev dependencies left out ---------------
FROM oven/bun:1.4.5 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script of a dependency runs at build time (none is needed).
RUN bun install --production --frozen-lockfile --ignore-scripts

# --- runtime --------------------------------------------------------------------------------
FROM oven/bun:1.4.5-slim AS runtime
WORKDIR /app
# The transpiler cache goes to /tmp so the root filesystem can be read-only (Kubernetes mounts
# an emptyDir there).
ENV NODE_ENV=production \
    DATA_DIR=/data \
    BUN_RUNTIME_TRANSPILER_CACHE_PATH=/tmp/bun-transpiler-cache
COPY --from=deps /app/node_modules ./node_modules
# tsconfig.json too: Bun reads its JSX settings (hono/jsx) when it loads the pages.
COPY package.json package-lock.json tsconfig.json ./
COPY drizzle ./drizzle
COPY src ./src
# DATA_DIR holds the embedded database when DATABASE_URL is unset; owned by the runtime user.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# The image's `bun` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8090
# The server drains on SIGTERM (readiness 503, in-flight requests finish, exit 0).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8090) + '/api/public/v1/healthz/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/server.ts"]
