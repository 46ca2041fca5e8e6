# Aduan container image: static binary on distroless.
#   docker build -t aduan .
#   docker run --rm -e DATABASE_URL=... aduan migrate
#   docker run --rm -e DATABASE_URL=... -p 8080:8080 aduan        # serve
# Time zone data is embedded in the binary (time/tzdata).

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/aduan ./cmd/aduan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aduan /aduan
# Example units; mount the real list over /etc/aduan/units.yaml.
COPY config/units.example.yaml /etc/aduan/units.yaml
USER nonroot
EXPOSE 8080
ENTRYPOINT ["/aduan"]
CMD ["serve"]
