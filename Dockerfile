# secops-flow: one image for the control worker, the scanner worker and the Slack app
# (docker-compose.yml picks the entry point). Multi-stage: the runtime stage has no
# compiler and no dev dependencies, and runs as the unprivileged `node` user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the lockfile.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY codec ./codec
COPY secrets ./secrets
COPY workflows ./workflows
COPY activities ./activities
COPY render ./render
COPY store ./store
COPY client ./client
COPY processes ./processes
COPY worker ./worker
COPY slack-app ./slack-app
COPY http ./http
COPY cli ./cli
COPY scanners ./scanners
COPY demo ./demo
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SECOPS_CONFIG=/etc/secops/secops.config.yaml
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `secops scanners build` runs the image build script from here.
COPY --from=build /app/scanners ./scanners
COPY secops.config.yaml /etc/secops/secops.config.yaml
USER node
ENTRYPOINT ["node"]
CMD ["dist/worker/main.js", "--role", "control"]
