// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Secret Manager uses for
// `SecretPayload.data_crc32c`. The Node client library computes nothing itself (callers do), and
// node:zlib only has the IEEE CRC-32, so this is the classic byte-wise table version: payloads are
// at most 64 KiB, so speed does not matter and no native dependency is worth it.

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The CRC-32C of `data` as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
