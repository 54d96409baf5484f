// Resource names, as the protos' `google.api.resource` patterns define them: secrets live under a
// project (`projects/*/secrets/*`) or, for regional secrets, under a location
// (`projects/*/locations/*/secrets/*`); versions add `/versions/*`.
import { invalidArgument } from "./errors.js";

/** Where secrets live: a project (global secrets) or a project's location (regional secrets). */
export interface ParentName {
  project: string;
  location?: string;
  /** `projects/p` or `projects/p/locations/l`. */
  name: string;
}

export interface SecretName extends ParentName {
  secretId: string;
  /** The full resource name, `<parent>/secrets/<id>`. */
  secret: string;
}

export interface VersionName extends SecretName {
  /** A number, `latest`, or an alias. */
  versionId: string;
}

const SEGMENT = "([^/]+)";
const PARENT = new RegExp(`^projects/${SEGMENT}(?:/locations/${SEGMENT})?$`);
const SECRET = new RegExp(`^projects/${SEGMENT}(?:/locations/${SEGMENT})?/secrets/${SEGMENT}$`);
const VERSION = new RegExp(
  `^projects/${SEGMENT}(?:/locations/${SEGMENT})?/secrets/${SEGMENT}/versions/${SEGMENT}$`,
);

function parent(project: string, location: string | undefined): ParentName {
  const name = location === undefined ? `projects/${project}` : `projects/${project}/locations/${location}`;
  return location === undefined ? { project, name } : { project, location, name };
}

export function parseParent(value: string, field = "parent"): ParentName {
  const m = PARENT.exec(value);
  if (!m) throw invalidArgument(`Invalid resource field value in the request: ${field} [${value}].`);
  return parent(m[1]!, m[2]);
}

export function parseSecretName(value: string, field = "name"): SecretName {
  const m = SECRET.exec(value);
  if (!m) throw invalidArgument(`Invalid resource field value in the request: ${field} [${value}].`);
  const p = parent(m[1]!, m[2]);
  return { ...p, secretId: m[3]!, secret: `${p.name}/secrets/${m[3]!}` };
}

export function parseVersionName(value: string, field = "name"): VersionName {
  const m = VERSION.exec(value);
  if (!m) throw invalidArgument(`Invalid resource field value in the request: ${field} [${value}].`);
  const p = parent(m[1]!, m[2]);
  return { ...p, secretId: m[3]!, secret: `${p.name}/secrets/${m[3]!}`, versionId: m[4]! };
}
