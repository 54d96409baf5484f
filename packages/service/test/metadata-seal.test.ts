// The metadata seal under a keyring of several keys: each row is checked with the key its seal
// names (the sealer keeps one key object per key, made once, and must never mix them up).
import { randomBytes } from "node:crypto";
import { Keyring } from "@coffer/sql";
import { describe, expect, it } from "vitest";
import { MetadataSealer, type SealedFields } from "../src/metadata-seal.js";

const row: SealedFields = {
  id: "sec_0123456789abcdefghijklmnop",
  name: "bench-db",
  owner: "alice",
  private: 0,
  scope: "",
  version: 3,
  keys: "host,password",
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_100_000,
} as unknown as SealedFields;

function keyring(active: string, keys: Record<string, Buffer>): Keyring {
  return new Keyring(active, new Map(Object.entries(keys)));
}

describe("MetadataSealer", () => {
  const older = randomBytes(32);
  const newer = randomBytes(32);

  it("verifies rows sealed under an older key and under the active one, many times over", () => {
    const sealedOld = new MetadataSealer(keyring("k1", { k1: older })).seal(row);
    const sealer = new MetadataSealer(keyring("k2", { k1: older, k2: newer }));
    const sealedNew = sealer.seal(row);
    expect(sealedNew.startsWith("k2.")).toBe(true);
    for (let round = 0; round < 3; round++) {
      expect(sealer.problem({ ...row, mac: sealedOld })).toBeUndefined();
      expect(sealer.problem({ ...row, mac: sealedNew })).toBeUndefined();
    }
  });

  it("refuses a seal made with one key but labelled with another, even after both were used", () => {
    const sealer = new MetadataSealer(keyring("k2", { k1: older, k2: newer }));
    const sealedNew = sealer.seal(row);
    expect(sealer.problem({ ...row, mac: sealer.seal(row) })).toBeUndefined();
    const relabelled = `k1.${sealedNew.slice("k2.".length)}`;
    expect(sealer.problem({ ...row, mac: relabelled })).toBe("its seal does not match its contents");
    expect(sealer.problem({ ...row, version: 4, mac: sealedNew })).toBe(
      "its seal does not match its contents",
    );
  });
});
