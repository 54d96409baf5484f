// A fresh self-signed TLS certificate per emulator, valid for the loopback names clients use. The
// Key Vault client refuses plain http unless told otherwise, and a real vault is only reachable
// over TLS, so https is the default; tests trust this certificate with `tlsOptions: { ca }`.
import { isIP } from "node:net";
import { generate } from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
}

export async function selfSignedCertificate(extraNames: readonly string[] = []): Promise<TlsMaterial> {
  const names = new Set(["localhost", "127.0.0.1", "::1", ...extraNames]);
  names.delete("0.0.0.0");
  names.delete("::");
  const altNames = [...names].map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 365 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
