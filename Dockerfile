# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-client.mjs ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled service only, run as the unprivileged `node` user.
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=5000
WORKDIR /app
COPY package.json package-lock.json ./
# The npm cache lives in a build cache mount, not in the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY openapi.yaml ./
COPY migrations ./migrations
COPY public ./public
USER node
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The service drains on SIGTERM: it stops taking connections, closes sockets and exits 0 within 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
