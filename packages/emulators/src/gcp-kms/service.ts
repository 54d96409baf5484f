// The gRPC side: the KeyManagementService definition that ships inside @google-cloud/kms (its
// self-contained protos.json), and handlers for the methods envelope encryption and key set-up
// need. Every other method of the service answers UNIMPLEMENTED, naming itself.
import {
  type handleUnaryCall,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { GcpStatusError } from "../gcp/errors.js";
import type { GcpFaultQueue } from "../gcp/faults.js";
import { loadGrpcService } from "../gcp/grpc-server.js";
import type { FaultQueue } from "../shared/faults.js";
import { decrypt, encrypt, type GcpKmsTamperKind } from "./crypt.js";
import type { KmsKeyStore } from "./keys.js";

export const SERVICE_NAME = "google.cloud.kms.v1.KeyManagementService";

export function loadServiceDefinition(): ServiceDefinition {
  return loadGrpcService("@google-cloud/kms", SERVICE_NAME);
}

const FAULT_DETAILS = {
  UNAVAILABLE: "The service is currently unavailable.",
  RESOURCE_EXHAUSTED:
    "Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute' of service 'cloudkms.googleapis.com'.",
} as const;

export interface Counters {
  [method: string]: number;
}

export function createImplementation(
  keys: KmsKeyStore,
  faults: GcpFaultQueue,
  tampering: FaultQueue<GcpKmsTamperKind>,
  calls: Counters,
): UntypedServiceImplementation {
  // biome-ignore lint/suspicious/noExplicitAny: requests are proto-loader objects, typed in crypt.ts
  const unary = (method: string, run: (request: any) => object): handleUnaryCall<any, object> => {
    return (call, callback) => {
      calls[method] = (calls[method] ?? 0) + 1;
      const fault = faults.take(method);
      if (fault) {
        callback({ code: status[fault], details: FAULT_DETAILS[fault] });
        return;
      }
      try {
        callback(null, run(call.request));
      } catch (error) {
        if (error instanceof GcpStatusError) callback({ code: error.code, details: error.details });
        else callback({ code: status.INTERNAL, details: "Internal error in the emulator." });
      }
    };
  };
  const implemented: UntypedServiceImplementation = {
    CreateKeyRing: unary("CreateKeyRing", (r) => keys.createKeyRing(r.parent, r.keyRingId)),
    GetKeyRing: unary("GetKeyRing", (r) => keys.getKeyRing(r.name)),
    CreateCryptoKey: unary("CreateCryptoKey", (r) =>
      keys.keyView(keys.createCryptoKey(r.parent, r.cryptoKeyId, r.cryptoKey, r.skipInitialVersionCreation)),
    ),
    GetCryptoKey: unary("GetCryptoKey", (r) => keys.keyView(keys.key(r.name, "cloudkms.cryptoKeys.get"))),
    GetCryptoKeyVersion: unary("GetCryptoKeyVersion", (r) => {
      const { key, version } = keys.version(r.name, "cloudkms.cryptoKeyVersions.get");
      return keys.versionView(key, version);
    }),
    CreateCryptoKeyVersion: unary("CreateCryptoKeyVersion", (r) => {
      const { key, version } = keys.createVersion(r.parent);
      return keys.versionView(key, version);
    }),
    UpdateCryptoKeyPrimaryVersion: unary("UpdateCryptoKeyPrimaryVersion", (r) =>
      keys.keyView(keys.updatePrimary(r.name, r.cryptoKeyVersionId)),
    ),
    UpdateCryptoKeyVersion: unary("UpdateCryptoKeyVersion", (r) => {
      const { key, version } = keys.updateVersion(
        r.cryptoKeyVersion?.name ?? "",
        r.cryptoKeyVersion?.state ?? "",
        r.updateMask?.paths ?? [],
      );
      return keys.versionView(key, version);
    }),
    DestroyCryptoKeyVersion: unary("DestroyCryptoKeyVersion", (r) => {
      const { key, version } = keys.destroyVersion(r.name);
      return keys.versionView(key, version);
    }),
    Encrypt: unary("Encrypt", (r) => encrypt(keys, r, tampering.take())),
    Decrypt: unary("Decrypt", (r) => decrypt(keys, r, tampering.take())),
  };
  const all: UntypedServiceImplementation = {};
  for (const method of Object.keys(loadServiceDefinition())) {
    all[method] =
      implemented[method] ??
      unary(method, () => {
        throw new GcpStatusError(status.UNIMPLEMENTED, `${method} is not implemented by this emulator.`);
      });
  }
  return all;
}
