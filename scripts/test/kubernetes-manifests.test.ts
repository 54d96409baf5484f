// deploy/kubernetes checked offline against the Kubernetes API schemas (kubernetes-models: the
// OpenAPI schemas of each kind, compiled to validators), then against what Coffer needs of them:
// probes on the server's real probe routes, selectors that select the pods, a non-root and
// read-only container with limits, every Secret key the pods read present in the example, and
// kustomization.yaml listing every manifest. The schemas do not reject unknown fields (a
// misspelt optional field passes them), which is why the checks below name what must be there.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { root } from "./compose-stack.ts";

const dir = path.join(root, "deploy/kubernetes");
const models: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "v1 Service": Service,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 Secret": Secret,
};

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML
type Manifest = Record<string, any>;
const files = readdirSync(dir).filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml");
const manifests: Array<{ file: string; doc: Manifest }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(dir, file), "utf8")).map((doc) => ({
    file,
    doc: doc.toJS() as Manifest,
  })),
);
const byKind = (kind: string) => manifests.find(({ doc }) => doc.kind === kind)?.doc as Manifest;

/** Validates one manifest against its kind's schema; the schema's complaint, or undefined. */
function schemaProblem(doc: Manifest): string | undefined {
  const Model = models[`${doc.apiVersion} ${doc.kind}`];
  if (!Model) return `no schema for ${doc.apiVersion} ${doc.kind}`;
  try {
    new Model(structuredClone(doc) as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("deploy/kubernetes against the Kubernetes schemas", () => {
  it("has a Deployment, a Service, a PodDisruptionBudget and the example Secret", () => {
    expect(manifests.map(({ doc }) => doc.kind).sort()).toEqual([
      "Deployment",
      "PodDisruptionBudget",
      "Secret",
      "Service",
    ]);
  });

  it.each(manifests.map(({ file, doc }) => [`${file}: ${doc.kind} ${doc.metadata?.name}`, doc]))(
    "%s is valid",
    (_, doc) => {
      expect(schemaProblem(doc as Manifest)).toBeUndefined();
    },
  );

  // The check must be able to fail: each deliberate mistake is caught by the schema.
  it.each([
    ["replicas as a word", (d: Manifest) => (d.spec.replicas = "three")],
    ["a container without its name", (d: Manifest) => delete d.spec.template.spec.containers[0].name],
    [
      "a probe port that is an object",
      (d: Manifest) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.port = {}),
    ],
    [
      "runAsNonRoot as a string",
      (d: Manifest) => (d.spec.template.spec.securityContext.runAsNonRoot = "yes"),
    ],
    ["env without a name", (d: Manifest) => delete d.spec.template.spec.containers[0].env[0].name],
  ])("catches a deliberate mistake: %s", (_, spoil) => {
    const broken = structuredClone(byKind("Deployment"));
    spoil(broken);
    expect(schemaProblem(broken)).toMatch(/must|required/);
  });
});

describe("deploy/kubernetes as Coffer needs it", () => {
  const deployment = byKind("Deployment");
  const pod = deployment.spec.template.spec;
  const server = pod.containers.find((c: Manifest) => c.name === "server");
  const podLabels = deployment.spec.template.metadata.labels;
  const selects = (selector: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => podLabels[key] === value);

  it("runs several replicas, and every selector selects the pods", () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(selects(byKind("Service").spec.selector)).toBe(true);
    expect(selects(byKind("PodDisruptionBudget").spec.selector.matchLabels)).toBe(true);
    expect(byKind("PodDisruptionBudget").spec.maxUnavailable).toBe(1);
  });

  it("probes /ready (readiness) and /health (liveness, start-up), routes the server really has", () => {
    const routes = readFileSync(path.join(root, "packages/server/src/routes/probes.ts"), "utf8");
    expect(server.readinessProbe.httpGet.path).toBe("/ready");
    expect(server.livenessProbe.httpGet.path).toBe("/health");
    expect(server.startupProbe.httpGet.path).toBe("/health");
    for (const probe of [server.readinessProbe, server.livenessProbe, server.startupProbe]) {
      expect(routes).toContain(`api.get("${probe.httpGet.path}"`);
      expect(server.ports.map((p: Manifest) => p.name)).toContain(probe.httpGet.port);
    }
    expect(server.ports.map((p: Manifest) => p.name)).toContain(byKind("Service").spec.ports[0].targetPort);
  });

  it("runs as a non-root user, read-only, without privileges, within resource limits", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      expect(container.securityContext, container.name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.resources.limits, container.name).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
    }
    // The grace period covers the server's own shutdown grace and the preStop pause.
    const grace =
      Number(server.env.find((e: Manifest) => e.name === "COFFER_SERVER_SHUTDOWN_GRACE_MS").value) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(grace + server.lifecycle.preStop.sleep.seconds);
  });

  it("reads the database URL and the keys from the Secret, each key present in the example", () => {
    const example = Object.keys(byKind("Secret").stringData);
    const fromEnv = server.env
      .filter((e: Manifest) => e.valueFrom?.secretKeyRef)
      .map((e: Manifest) => e.valueFrom.secretKeyRef.key);
    const secretsMount = server.volumeMounts.find((m: Manifest) => m.name === "secrets").mountPath;
    const fromFiles = [JSON.stringify(pod)]
      .flatMap((text) => [...text.matchAll(new RegExp(`${secretsMount}/([a-z-]+)`, "g"))])
      .map((match) => match[1]);
    expect(fromEnv).toEqual(["database-url"]);
    expect(new Set(fromFiles)).toEqual(new Set(["store-keyring", "bootstrap-token", "metadata-keyring"]));
    expect(example.sort()).toEqual([...fromEnv, ...new Set(fromFiles)].sort());
    expect(pod.volumes.find((v: Manifest) => v.name === "secrets").secret.secretName).toBe(
      byKind("Secret").metadata.name,
    );
  });

  it("kustomization.yaml lists every manifest but the example Secret, and names the image", () => {
    const kustomization = parseAllDocuments(
      readFileSync(path.join(dir, "kustomization.yaml"), "utf8"),
    )[0]?.toJS();
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((f) => f !== "secret.example.yaml").sort(),
    );
    expect(server.image.split(":")[0]).toBe(kustomization.images[0].name);
  });
});
