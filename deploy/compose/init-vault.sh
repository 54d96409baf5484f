#!/bin/sh
# The vault profile's one-shot helper (docker-compose.yml, service vault-init), run on every `up`
# with the Vault image's own CLI:
#   1. the first time, initialise Vault (one unseal key share) and keep the unseal key and the
#      root token in /vault-init/init.json (mode 0600, the vault-init volume);
#   2. unseal Vault when it is sealed (after every restart of the vault container);
#   3. make sure the KV version 2 engine is mounted at secret/ and the "coffer" policy exists;
#   4. give Coffer a token with only that policy (and Vault's default one, for renewing itself) in
#      /coffer-token/token (mode 0400, uid 1000: the server's user), unless the one there works.
# Keeping the unseal key on the same machine as Vault protects the values against nothing but a
# stolen Vault volume alone: see docs/operators.md for moving it elsewhere or auto-unseal.
set -eu
say() { echo "vault-init: $*" >&2; }
INIT=/vault-init/init.json
TOKEN=/coffer-token/token

tries=0
until vault status >/dev/null 2>&1 || [ $? -eq 2 ]; do # 2: sealed or not initialised, but answering
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { say "Vault does not answer at $VAULT_ADDR"; exit 1; }
  sleep 1
done

if vault status -format=json | grep -q '"initialized": false'; then
  umask 077
  vault operator init -key-shares=1 -key-threshold=1 -format=json >"$INIT.part"
  mv "$INIT.part" "$INIT"
  say "initialised Vault; unseal key and root token in the vault-init volume ($INIT)"
fi
[ -s "$INIT" ] || { say "Vault is initialised but $INIT is missing: unseal it yourself"; exit 1; }
# init.json holds "unseal_keys_b64": ["<key>"] and "root_token": "<token>".
json_field() { tr -d '\n ' <"$INIT" | sed -n "s/.*\"$1\":\[*\"\([^\"]*\)\".*/\1/p"; }

if vault status -format=json | grep -q '"sealed": true'; then
  vault operator unseal "$(json_field unseal_keys_b64)" >/dev/null
  say "unsealed Vault"
fi

VAULT_TOKEN="$(json_field root_token)"
export VAULT_TOKEN
vault secrets list -format=json | grep -q '"secret/"' || vault secrets enable -path=secret kv-v2 >/dev/null
vault policy write coffer - >/dev/null <<'POLICY'
# docs: packages/store-vault/README.md, "Vault policy" (every deployment under coffer/).
path "secret/data/coffer/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/coffer/*" {
  capabilities = ["create", "read", "update", "delete"]
}
POLICY

if [ -s "$TOKEN" ] && VAULT_TOKEN="$(cat "$TOKEN")" vault token lookup >/dev/null 2>&1; then
  say "Coffer's token still works"
else
  # Periodic: it never reaches a max TTL as long as Coffer renews it (it does, at 2/3 of the TTL).
  vault token create -orphan -policy=coffer -period=768h -display-name=coffer -field=token >"$TOKEN.part"
  mv "$TOKEN.part" "$TOKEN"
  chown 1000:1000 "$TOKEN"
  chmod 0400 "$TOKEN"
  say "made Coffer's token"
fi
