# Aduan container image: static binary on distroless, non-root.
#   docker build -t aduan \
#     --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm -e DATABASE_URL=... aduan migrate
#   docker run --rm -e DATABASE_URL=... -v $PWD/units.yaml:/etc/aduan/units.yaml:ro aduan units apply /etc/aduan/units.yaml
#   docker run --rm -e DATABASE_URL=... -p 8080:8080 aduan        # serve
# Time zone data is embedded in the binary (time/tzdata). The image holds no units
# file: mount the operator's own. The example is at /usr/share/aduan/units.example.yaml.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context has no .git (.dockerignore): the version comes from these.
ARG VERSION=devel
ARG COMMIT=unknown
ARG BUILD_TIME=unknown
RUN go build -trimpath -buildvcs=false \
	-ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildTime=${BUILD_TIME}" \
	-o /out/aduan ./cmd/aduan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aduan /aduan
COPY config/units.example.yaml /usr/share/aduan/units.example.yaml
USER nonroot
EXPOSE 8080
# No shell or curl in distroless: the binary checks itself (GET /healthz on --listen).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/aduan", "healthcheck"]
ENTRYPOINT ["/aduan"]
CMD ["serve"]
