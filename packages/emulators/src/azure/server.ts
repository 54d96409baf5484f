// The HTTP(S) server every Key Vault emulator here runs: https with the given certificate files or
// a self-signed certificate generated at start (loopback names always in it), or plain http.
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { selfSignedCertificate } from "./certificate.js";

export interface VaultServerOptions {
  host: string;
  /** Serve plain http instead of https. */
  http?: boolean | undefined;
  /** Extra host names or IPs for the generated certificate. */
  certificateNames?: string[] | undefined;
  /** Serve this certificate and key (PEM file paths) instead of generating one. */
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

/** The server (not yet listening) and the PEM certificate it serves, undefined over http. */
export async function vaultServer(
  options: VaultServerOptions,
  handler: RequestListener,
): Promise<{ server: Server; certificatePem: string | undefined }> {
  const tls = options.http
    ? undefined
    : options.tlsCertFile && options.tlsKeyFile
      ? { cert: readFileSync(options.tlsCertFile, "utf8"), key: readFileSync(options.tlsKeyFile, "utf8") }
      : await selfSignedCertificate([options.host, ...(options.certificateNames ?? [])]);
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
    : createHttpServer(handler);
  return { server, certificatePem: tls?.cert };
}
