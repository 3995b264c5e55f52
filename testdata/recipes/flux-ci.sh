# CI job of the app repository: render, rewrite, publish.
set -euo pipefail
mkdir -p deploy
helm template shop ./chart --namespace shop -f values-prod.yaml --skip-tests \
  | premigrate --config premigrate.yaml > deploy/shop.yaml
# or, with the kustomize plugin: kubectl kustomize --enable-alpha-plugins overlays/prod > deploy/shop.yaml
flux push artifact "oci://ghcr.io/acme/manifests/shop:$(git rev-parse --short HEAD)" \
  --path=./deploy \
  --source="$(git config --get remote.origin.url)" \
  --revision="$(git branch --show-current)@sha1:$(git rev-parse HEAD)"
flux tag artifact "oci://ghcr.io/acme/manifests/shop:$(git rev-parse --short HEAD)" --tag prod
