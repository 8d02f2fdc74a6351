# syntax=docker/dockerfile:1
# openai-mock as a container: `docker run --rm -p 4010:4010 IMAGE`, answering on port 4010 at once,
# without network. See README.md, "Docker".

# Production dependencies alone, in their own stage: rebuilt only when the lockfile changes.
# No install scripts: esbuild finds its platform binary without its postinstall.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
# Then the files nothing requires at run time: type declarations, source maps, docs.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/@types node_modules/.package-lock.json \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

# Build: the TypeScript compiled, and the spec.
FROM node:24-bookworm-slim AS build
# tini, copied into the final stage (it needs only libc), where no package manager then runs.
RUN apt-get update && apt-get install -y --no-install-recommends tini
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
# `node` (a devDependency bringing Node 24) needs no install script here: the base image has Node 24.
RUN npm ci --ignore-scripts --no-audit --no-fund
# The spec: spec/openapi.yaml from the context when it is the pinned one (`npm install` fills it),
# else downloaded from the commit pinned in spec/pin.json and checked against its sha256.
COPY scripts/fetch-spec.js ./scripts/
COPY spec ./spec
RUN node scripts/fetch-spec.js && test -s spec/openapi.yaml
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json && find dist \( -name '*.d.ts' -o -name '*.map' \) -delete && chmod 0755 dist/cli/main.js

# Run: Node, the server, its production dependencies, the spec and its warm caches; what changes
# least comes first, so that a change to the server rebuilds only its own layers and the caches.
FROM node:24-bookworm-slim
# tini as PID 1: forwards SIGTERM/SIGINT to the server at any moment (also before it has installed
# its own handlers) and reaps esbuild's helper process.
COPY --from=build /usr/bin/tini /usr/bin/tini
# Plain HTTP by default: TLS would need a local CA made at the first start of every container (or,
# made here, one private key shared by everyone who pulls the image). OPENAI_MOCK_PROTOCOLS=http,https
# with --tls-cert/--tls-key (or a volume for XDG_DATA_HOME) turns it on.
ENV NODE_ENV=production \
    OPENAI_MOCK_HOST=0.0.0.0 \
    OPENAI_MOCK_PORT=4010 \
    OPENAI_MOCK_PROTOCOLS=http \
    OPENAI_MOCK_CACHE_DIR=/var/cache/openai-mock
RUN ln -s /app/dist/cli/main.js /usr/local/bin/openai-mock \
  && mkdir -p /var/cache/openai-mock /config /docker-entrypoint.d \
  && chown node:node /var/cache/openai-mock
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/spec/openapi.yaml /app/spec/pin.json ./spec/
COPY --from=build /app/dist ./dist
COPY docker/warm-cache.js ./docker/
USER node
# The prepared spec, every request validator and V8's compiled code, made here once, so that a
# container starts from them: no parsing, no compiling, no network.
RUN node docker/warm-cache.js
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /config
EXPOSE 4010
# bash's /dev/tcp: no Node process (50 ms of CPU) every 5 s. Health answers without a key and is
# not logged at info.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${OPENAI_MOCK_PORT:-4010} && printf 'GET /__admin/health HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 2 status <&3 && [[ $status == *' 200 '* ]]"]
ARG VERSION=dev
ARG SPEC_COMMIT=unknown
LABEL org.opencontainers.image.title="openai-mock" \
      org.opencontainers.image.description="A mock server for the OpenAI API, from the official OpenAPI spec" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      io.github.openai-mock.spec-commit="${SPEC_COMMIT}"
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["openai-mock"]
