/**
 * The HTTPS certificate and key (COFFER_SERVER_TLS_CERT / _KEY): read and checked at start, and
 * read again on SIGHUP so that a renewed certificate (certbot, cert-manager, an operator's cron)
 * is served without a restart. A reload swaps the context used by *new* handshakes
 * (tls.Server#setSecureContext); connections already open keep the session they negotiated, so
 * nothing is dropped. A bad new pair — a file that cannot be read, is not PEM, or a key that is not
 * the certificate's — is logged and the previous pair kept: a botched renewal must not take a
 * running server down, and the old certificate keeps working until it is fixed.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, type Server as TlsServer } from "node:tls";
import { InvalidConfigError } from "@coffer/core";

export interface TlsFilePaths {
  certFile: string;
  keyFile: string;
}

/** A certificate chain and its key, checked to belong together. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** The leaf certificate's SHA-256 fingerprint (what the logs name it by; never the key). */
  fingerprint256: string;
  validTo: string;
}

/** The paths from the server settings: both or neither; a half-given pair stops the start. */
export function tlsFilePaths(settings: {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}): TlsFilePaths | undefined {
  if (settings.tlsCert === undefined && settings.tlsKey === undefined) return undefined;
  if (settings.tlsCert === undefined || settings.tlsKey === undefined) {
    throw new InvalidConfigError("HTTPS needs both COFFER_SERVER_TLS_CERT and COFFER_SERVER_TLS_KEY.", {
      hint: "Set both to PEM files (the certificate chain and its private key), or neither for plain HTTP.",
      details: {
        variable: settings.tlsCert === undefined ? "COFFER_SERVER_TLS_CERT" : "COFFER_SERVER_TLS_KEY",
      },
    });
  }
  return { certFile: settings.tlsCert, keyFile: settings.tlsKey };
}

/**
 * Reads and checks the pair: each file readable, the certificate X.509 PEM, the key a private key,
 * the key the certificate's, and the two accepted by TLS. Any failure is one InvalidConfigError
 * naming the variable and the reason (never the key's content).
 */
export function readTlsPair(paths: TlsFilePaths): TlsPair {
  const cert = readPem(paths.certFile, "COFFER_SERVER_TLS_CERT");
  const key = readPem(paths.keyFile, "COFFER_SERVER_TLS_KEY");
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw unusable("COFFER_SERVER_TLS_CERT", paths.certFile, "not a PEM certificate", "not-a-certificate");
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    // Also an encrypted key: the server has no passphrase to open it with.
    throw unusable("COFFER_SERVER_TLS_KEY", paths.keyFile, "not an unencrypted PEM private key", "not-a-key");
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw unusable(
      "COFFER_SERVER_TLS_KEY",
      paths.keyFile,
      "not the certificate's private key",
      "key-mismatch",
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw unusable(
      "COFFER_SERVER_TLS_CERT",
      paths.certFile,
      `refused by TLS (${(error as Error).message})`,
      "tls-refused",
    );
  }
  return { cert, key, fingerprint256: leaf.fingerprint256, validTo: leaf.validTo };
}

interface ReloadLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Reads the pair again and, when it is usable, makes it the context of new handshakes; otherwise
 * logs why and keeps the current one. Never throws: it runs from a signal handler.
 */
export function reloadTls(server: TlsServer, paths: TlsFilePaths, log: ReloadLog): boolean {
  let pair: TlsPair;
  try {
    pair = readTlsPair(paths);
    server.setSecureContext({ cert: pair.cert, key: pair.key });
  } catch (error) {
    const details = error instanceof InvalidConfigError ? error.details : { reason: "unexpected" };
    log.error(
      { event: "tls-reload", outcome: "kept-previous", ...details },
      `TLS reload failed, still serving the previous certificate: ${(error as Error).message}`,
    );
    return false;
  }
  log.info(
    { event: "tls-reload", outcome: "reloaded", fingerprint256: pair.fingerprint256, validTo: pair.validTo },
    "TLS certificate reloaded: new connections get it, open ones keep theirs.",
  );
  return true;
}

/** Reloads on every SIGHUP until the returned function is called (on close). */
export function reloadTlsOnSighup(server: TlsServer, paths: TlsFilePaths, log: ReloadLog): () => void {
  const onHangup = () => {
    reloadTls(server, paths, log);
  };
  process.on("SIGHUP", onHangup);
  return () => {
    process.off("SIGHUP", onHangup);
  };
}

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InvalidConfigError(`${variable} names '${file}', which cannot be read.`, {
      hint: "Give the path of a readable PEM file.",
      details: { variable, reason: (error as NodeJS.ErrnoException).code ?? "unreadable" },
    });
  }
}

function unusable(variable: string, file: string, what: string, reason: string): InvalidConfigError {
  return new InvalidConfigError(`${variable} names '${file}', which is ${what}.`, {
    hint: "Give the PEM certificate chain (leaf first) in COFFER_SERVER_TLS_CERT and its unencrypted private key in COFFER_SERVER_TLS_KEY.",
    details: { variable, reason },
  });
}
