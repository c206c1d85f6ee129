# One image for the web tier and the runners (docker-compose.yml, docs/runners.md):
# the same commands as the local path, `node --import tsx server/main.ts` and
# `node --import tsx server/runner/main.ts`.
FROM node:22-bookworm-slim
# setpriv (util-linux, in the base image) makes service processes die with their runner.
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production HOST=0.0.0.0
EXPOSE 3000
CMD ["node", "--import", "tsx", "server/main.ts"]
