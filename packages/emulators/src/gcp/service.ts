// The gRPC side: the service definition that ships inside @google-cloud/secret-manager (its
// self-contained protos.json), and the handlers that call into SecretManagerState. Methods left out
// (EnableManagedRotation, RotateSecret: Cloud SQL managed rotation) answer UNIMPLEMENTED.
import {
  type handleUnaryCall,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { GcpStatusError } from "./errors.js";
import type { GcpFaultQueue } from "./faults.js";
import { loadGrpcService } from "./grpc-server.js";
import type { SecretManagerState } from "./state.js";

export const SERVICE_NAME = "google.cloud.secretmanager.v1.SecretManagerService";

export function loadServiceDefinition(): ServiceDefinition {
  return loadGrpcService("@google-cloud/secret-manager", SERVICE_NAME);
}

const FAULT_DETAILS = {
  UNAVAILABLE: "The service is currently unavailable.",
  RESOURCE_EXHAUSTED:
    "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project' of service 'secretmanager.googleapis.com'.",
} as const;

export function createImplementation(
  state: SecretManagerState,
  faults: GcpFaultQueue,
): UntypedServiceImplementation {
  // biome-ignore lint/suspicious/noExplicitAny: requests are proto-loader objects typed per method in state.ts
  const unary = (method: string, run: (request: any) => object): handleUnaryCall<any, object> => {
    return (call, callback) => {
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
  return {
    ListSecrets: unary("ListSecrets", (r) => state.listSecrets(r)),
    CreateSecret: unary("CreateSecret", (r) => state.createSecret(r)),
    AddSecretVersion: unary("AddSecretVersion", (r) => state.addSecretVersion(r)),
    GetSecret: unary("GetSecret", (r) => state.getSecret(r)),
    UpdateSecret: unary("UpdateSecret", (r) => state.updateSecret(r)),
    DeleteSecret: unary("DeleteSecret", (r) => state.deleteSecret(r)),
    ListSecretVersions: unary("ListSecretVersions", (r) => state.listSecretVersions(r)),
    GetSecretVersion: unary("GetSecretVersion", (r) => state.getSecretVersion(r)),
    AccessSecretVersion: unary("AccessSecretVersion", (r) => state.accessSecretVersion(r)),
    DisableSecretVersion: unary("DisableSecretVersion", (r) => state.disableSecretVersion(r)),
    EnableSecretVersion: unary("EnableSecretVersion", (r) => state.enableSecretVersion(r)),
    DestroySecretVersion: unary("DestroySecretVersion", (r) => state.destroySecretVersion(r)),
    SetIamPolicy: unary("SetIamPolicy", (r) => state.setIamPolicy(r)),
    GetIamPolicy: unary("GetIamPolicy", (r) => state.getIamPolicy(r)),
    TestIamPermissions: unary("TestIamPermissions", (r) => state.testIamPermissions(r)),
  };
}
