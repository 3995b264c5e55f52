# Once per CI image: the exec plugin kustomize looks up by apiVersion and kind.
PLUGIN_DIR="${KUSTOMIZE_PLUGIN_HOME:-$HOME/.config/kustomize/plugin}/premigrate.io/v1alpha1/migrationpolicy"
mkdir -p "$PLUGIN_DIR"
printf '#!/bin/sh\nexec premigrate kustomize-plugin "$@"\n' > "$PLUGIN_DIR/MigrationPolicy"
chmod +x "$PLUGIN_DIR/MigrationPolicy"
