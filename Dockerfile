# ttx container image: the web UI is built with Node, embedded in a static Go
# binary, and run as a non-root user on a distroless base with no shell.
#
#   docker build --build-arg VERSION=1.2.0 --build-arg COMMIT=$(git rev-parse HEAD) \
#                --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t ttx .
#   docker run -p 8080:8080 -v ttx-data:/data ttx
#
# The database lives in the /data volume. On first start the server prints a
# one-time password for the facilitator account 'admin' to its log.
# server/dockerfile_test.go checks the rules this file must keep (stages,
# pinned bases, non-root user, and build commands identical to .ci/run's).

# --- 1. web UI ---------------------------------------------------------------
FROM node:26-bookworm-slim AS ui
WORKDIR /src/frontend
# Dependencies first, so that a source change reuses the installed packages.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- 2. static binary ----------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY server/ server/
COPY scenarios/ scenarios/
COPY frontend/*.go frontend/
COPY --from=ui /src/frontend/dist/ frontend/dist/
ARG VERSION=dev
ARG COMMIT=none
ARG BUILD_DATE=
# modernc.org/sqlite is pure Go, so the binary needs no C library and runs on
# a base image without one.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${BUILD_DATE}" \
      -o /out/ttx ./server \
 && mkdir -p /out/rootfs/data

# --- 3. runtime ------------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG COMMIT=none
LABEL org.opencontainers.image.title="ttx" \
      org.opencontainers.image.description="Cyber-incident tabletop exercise simulator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/ttx /ttx
# /data must exist and belong to the runtime user before the volume is
# mounted: a fresh named volume copies this directory's ownership.
COPY --from=build --chown=65532:65532 /out/rootfs/ /
USER nonroot:nonroot
ENV TTX_DB=/data/ttx.db \
    TTX_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
# The image has no curl or wget; the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/ttx", "healthcheck"]
ENTRYPOINT ["/ttx"]
CMD ["serve"]
