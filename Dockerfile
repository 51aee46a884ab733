# Kommunalforum: scripts/build.js bundles the TypeScript into dist/ with esbuild (a runtime dependency,
# as `npm start` builds too); node runs that JavaScript itself. `npm ci --omit=dev` installs the rest.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY views ./views
COPY public ./public
COPY scripts ./scripts
RUN node scripts/build.js --force

# The code stays owned by root (read-only for the app); only DATA_DIR is writable by the user `node`.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000

# Liveness only: /healthz never touches the database, so a database outage does not restart the app.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself is PID 1 (not npm), so SIGTERM from `docker stop` reaches the graceful shutdown in server.ts.
# The old space as in `npm start`: V8 otherwise lets garbage pile up to a limit sized for the whole
# machine; with 256 MB the app stays near 220 MB RSS under load (bench/README.md). Raise it with
# NODE_OPTIONS=--max-old-space-size=512 if an instance ever needs more.
# Source maps: stack traces in the log name the TypeScript files and lines.
# A fixed mmap threshold for glibc's malloc, as in `npm start`: memory of large allocations (argon2's
# 19 MiB per sign-in) goes back to the system when freed instead of staying in the threads' arenas.
ENV MALLOC_MMAP_THRESHOLD_=131072
CMD ["node", "--max-old-space-size=256", "--enable-source-maps", "dist/src/server.js"]
