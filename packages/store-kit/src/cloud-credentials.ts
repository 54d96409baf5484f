/**
 * How a backend on Azure or GCP authenticates, declared once for every Coffer package that talks
 * to that cloud (the azure store and the azure-keys key source; the gcp store and the gcp-kms key
 * source): the same option names, rules and messages, so an operator spells them one way.
 * Only zod here: the SDKs stay in the packages that use them.
 */
import { z } from "@coffer/core";
import { optionProblem } from "./options.js";

const GUID_OR_DOMAIN = /^[0-9a-fA-F-]{36}$|^[A-Za-z0-9.-]+$/;

/** Azure: a service principal (by secret or certificate), a managed identity, or the default chain. */
export const azureCredentialOptions = {
  /** Microsoft Entra tenant (directory) of the service principal. */
  tenantId: z.string().regex(GUID_OR_DOMAIN, "must be a tenant id (GUID) or domain").optional(),
  /** Application (client) id of the service principal, or of a user-assigned managed identity. */
  clientId: z.string().min(1).optional(),
  /** The service principal's client secret; sensitive, so it may be given as @/path. */
  clientSecret: z.string().min(1).optional(),
  /** PEM file with the service principal's certificate and private key. */
  certificatePath: z.string().min(1).optional(),
  /** Authenticate as the managed identity of the Azure resource Coffer runs on. */
  managedIdentity: z.boolean().default(false),
};

type AzureCredential = {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  certificatePath?: string;
  managedIdentity: boolean;
};

/** One way to authenticate at most, and a service principal with its tenant and client ids. */
export function checkAzureCredential(options: AzureCredential, ctx: z.RefinementCtx): void {
  const modes = [
    options.clientSecret !== undefined && "clientSecret",
    options.certificatePath !== undefined && "certificatePath",
    options.managedIdentity && "managedIdentity",
  ].filter(Boolean) as string[];
  if (modes.length > 1) {
    optionProblem(ctx, modes[1]!, `choose one way to authenticate, not ${modes.join(" and ")}`);
  }
  if (options.clientSecret !== undefined || options.certificatePath !== undefined) {
    for (const needed of ["tenantId", "clientId"] as const) {
      if (options[needed] === undefined) {
        optionProblem(
          ctx,
          needed,
          `a service principal (clientSecret or certificatePath) needs ${needed} too`,
        );
      }
    }
  }
}

/** A service-account key file's JSON: what `credentials` must hold. */
function isServiceAccountKey(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return typeof parsed.client_email === "string" && typeof parsed.private_key === "string";
  } catch {
    return false;
  }
}

/** GCP: a service-account key (file or text) or the application default credentials; the endpoint. */
export const gcpConnectionOptions = {
  /** Path of a service-account key file (JSON); by default the application default credentials. */
  keyFile: z.string().min(1).optional(),
  /** A service-account key (the JSON text); sensitive, so it may be given as @/path. */
  credentials: z
    .string()
    .refine(isServiceAccountKey, "must be a service-account key in JSON (with client_email and private_key)")
    .optional(),
  /** Host of the API: a private endpoint, or an emulator in tests. Defaults to Google's endpoint. */
  apiEndpoint: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  /** Plain-text gRPC without TLS and without credentials: emulators only. */
  insecure: z.boolean().default(false),
};

type GcpConnection = { keyFile?: string; credentials?: string; apiEndpoint?: string; insecure: boolean };

/** One kind of key at most; insecure only towards a named endpoint and with no credentials. */
export function checkGcpConnection(options: GcpConnection, ctx: z.RefinementCtx): void {
  if (options.keyFile !== undefined && options.credentials !== undefined) {
    optionProblem(ctx, "credentials", "give either keyFile or credentials, not both");
  }
  if (options.insecure && options.apiEndpoint === undefined) {
    optionProblem(
      ctx,
      "insecure",
      "insecure is for emulators: set apiEndpoint (and port) to the emulator's address too",
    );
  }
  if (options.insecure && (options.keyFile !== undefined || options.credentials !== undefined)) {
    optionProblem(
      ctx,
      "insecure",
      "an insecure channel sends no credentials: remove keyFile and credentials",
    );
  }
}
