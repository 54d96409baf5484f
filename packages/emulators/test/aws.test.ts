import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  paginateListSecrets,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsEmulator } from "../src/aws/index.js";
import { DAY_MS, failure, manualClock, startWithClient } from "./aws-helpers.js";

const clock = manualClock();
let emulator: AwsEmulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ emulator, client } = await startWithClient({
    clock: clock.now,
    region: "us-east-1",
    accountId: "123456789012",
  }));
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});
beforeEach(() => emulator.reset());

const token = (n: number) => `token-${String(n).padStart(4, "0")}-aaaaaaaaaaaaaaaaaaaaaaaaaa`;

async function create(name: string, value = "fake-password-1", extra: Record<string, unknown> = {}) {
  return client.send(new CreateSecretCommand({ Name: name, SecretString: value, ...extra }));
}

async function currentValue(secretId: string) {
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

describe("CreateSecret and GetSecretValue", () => {
  it("CreateSecret returns an ARN arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>", async () => {
    const created = await create("app/db");
    expect(created.Name).toBe("app/db");
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-[A-Za-z0-9]{6}$/,
    );
    expect(created.VersionId).toBeTruthy();
  });

  it("GetSecretValue by name returns the AWSCURRENT version with its VersionId, stages and CreatedDate", async () => {
    const created = await create("app/db", "fake-password-1");
    const got = await client.send(new GetSecretValueCommand({ SecretId: "app/db" }));
    expect(got).toMatchObject({
      ARN: created.ARN,
      Name: "app/db",
      VersionId: created.VersionId,
      SecretString: "fake-password-1",
      VersionStages: ["AWSCURRENT"],
    });
    expect(got.CreatedDate).toEqual(new Date(clock.now()));
    expect(got.SecretBinary).toBeUndefined();
  });

  it("GetSecretValue accepts the full ARN and a partial ARN without the random suffix", async () => {
    const created = await create("app/api-key", "fake-token-1");
    const arn = created.ARN as string;
    expect(await currentValue(arn)).toBe("fake-token-1");
    expect(await currentValue(arn.slice(0, -7))).toBe("fake-token-1");
  });

  it("GetSecretValue of an unknown name or ARN is ResourceNotFoundException (HTTP 400, client fault)", async () => {
    const error = await failure(() => currentValue("missing"));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(error.$fault).toBe("client");
    const byArn = await failure(() =>
      currentValue("arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"),
    );
    expect(byArn).toBeInstanceOf(ResourceNotFoundException);
  });

  it("SecretBinary round-trips as bytes and SecretString is then absent", async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await client.send(new CreateSecretCommand({ Name: "bin", SecretBinary: bytes }));
    const got = await client.send(new GetSecretValueCommand({ SecretId: "bin" }));
    expect(got.SecretBinary).toEqual(bytes);
    expect(got.SecretString).toBeUndefined();
  });

  it("CreateSecret with both SecretString and SecretBinary is InvalidParameterException", async () => {
    const error = await failure(() =>
      client.send(
        new CreateSecretCommand({ Name: "both", SecretString: "x", SecretBinary: Uint8Array.from([1]) }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it("CreateSecret with an existing name is ResourceExistsException", async () => {
    await create("dup");
    const error = await failure(() => create("dup", "fake-password-2"));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(error.message).toBe("The operation failed because the secret dup already exists.");
  });

  it("Secret names allow letters, digits and /_+=.@- ; any other character is ValidationException", async () => {
    await create("Valid/_+=.@-Name9");
    for (const bad of ["has space", "colon:name", "star*", "ünï"]) {
      const error = await failure(() => create(bad));
      expect(error.name).toBe("ValidationException");
      expect(error.message).toContain("Invalid name");
    }
  });

  it("Secret names are 1 to 512 characters: 512 is accepted, 513 is ValidationException", async () => {
    await create("n".repeat(512));
    const error = await failure(() => create("n".repeat(513)));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("Member must have length less than or equal to 512");
  });

  it("SecretString may hold 65,536 bytes; 65,537 is ValidationException whose message does not contain the value", async () => {
    await create("big", "s".repeat(65_536));
    expect((await currentValue("big"))?.length).toBe(65_536);
    const error = await failure(() => create("too-big", `fake-marker-${"s".repeat(65_525)}`));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("secretString");
    expect(error.message).not.toContain("fake-marker");
    // Multi-byte characters count by bytes: 32,769 two-byte characters are 65,538 bytes.
    const wide = await failure(() => create("wide", "é".repeat(32_769)));
    expect(wide.name).toBe("ValidationException");
  });

  it("SecretBinary may hold 65,536 bytes; 65,537 is ValidationException", async () => {
    await client.send(new CreateSecretCommand({ Name: "bin-max", SecretBinary: new Uint8Array(65_536) }));
    const error = await failure(() =>
      client.send(new CreateSecretCommand({ Name: "bin-over", SecretBinary: new Uint8Array(65_537) })),
    );
    expect(error.name).toBe("ValidationException");
  });

  it("CreateSecret repeated with the same ClientRequestToken and value is a no-op returning the same version", async () => {
    const first = await create("idem", "fake-password-1", { ClientRequestToken: token(1) });
    const again = await create("idem", "fake-password-1", { ClientRequestToken: token(1) });
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: token(1) });
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: "idem" }));
    expect(versions.Versions).toHaveLength(1);
  });

  it("CreateSecret repeated with the same ClientRequestToken but another value is ResourceExistsException", async () => {
    await create("idem", "fake-password-1", { ClientRequestToken: token(1) });
    const error = await failure(() => create("idem", "fake-password-2", { ClientRequestToken: token(1) }));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(await currentValue("idem")).toBe("fake-password-1");
  });

  it("ClientRequestToken must be 32 to 64 characters (ValidationException otherwise)", async () => {
    const error = await failure(() => create("short-token", "x", { ClientRequestToken: "too-short" }));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("clientRequestToken");
  });

  it("CreateSecret without a value creates no version: GetSecretValue is ResourceNotFoundException for AWSCURRENT", async () => {
    const created = await client.send(new CreateSecretCommand({ Name: "empty" }));
    expect(created.VersionId).toBeUndefined();
    const error = await failure(() => currentValue("empty"));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe(
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
    // The first PutSecretValue gets AWSCURRENT even when other labels are asked for.
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: "empty", SecretString: "fake-1", VersionStages: ["MINE"] }),
    );
    expect(put.VersionStages?.sort()).toEqual(["AWSCURRENT", "MINE"]);
  });

  it("CreateSecret beyond the secrets quota is LimitExceededException", async () => {
    const small = await startWithClient({ maxSecrets: 2 });
    try {
      await small.client.send(new CreateSecretCommand({ Name: "one", SecretString: "x" }));
      await small.client.send(new CreateSecretCommand({ Name: "two", SecretString: "x" }));
      const error = await failure(() =>
        small.client.send(new CreateSecretCommand({ Name: "three", SecretString: "x" })),
      );
      expect(error).toBeInstanceOf(LimitExceededException);
    } finally {
      small.client.destroy();
      await small.emulator.stop();
    }
  });

  it("A missing required parameter is ValidationException naming the member", async () => {
    const error = await failure(() =>
      client.send(new GetSecretValueCommand({ SecretId: undefined as unknown as string })),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("'secretId'");
  });
});

describe("versions and staging labels", () => {
  it("PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the one it left", async () => {
    const v1 = (await create("rot", "fake-password-1")).VersionId as string;
    const v2 = (
      await client.send(new PutSecretValueCommand({ SecretId: "rot", SecretString: "fake-password-2" }))
    ).VersionId as string;
    const v3 = (
      await client.send(new PutSecretValueCommand({ SecretId: "rot", SecretString: "fake-password-3" }))
    ).VersionId as string;
    const described = await client.send(new DescribeSecretCommand({ SecretId: "rot" }));
    expect(described.VersionIdsToStages).toEqual({ [v2]: ["AWSPREVIOUS"], [v3]: ["AWSCURRENT"] });
    expect(await currentValue("rot")).toBe("fake-password-3");
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: "rot", VersionStage: "AWSPREVIOUS" }),
    );
    expect(previous).toMatchObject({ VersionId: v2, SecretString: "fake-password-2" });
    const byId = await client.send(new GetSecretValueCommand({ SecretId: "rot", VersionId: v1 }));
    expect(byId).toMatchObject({ SecretString: "fake-password-1", VersionStages: [] });
  });

  it("PutSecretValue with the same ClientRequestToken and value is idempotent; another value is ResourceExistsException", async () => {
    await create("put-idem");
    const first = await client.send(
      new PutSecretValueCommand({
        SecretId: "put-idem",
        SecretString: "fake-2",
        ClientRequestToken: token(2),
      }),
    );
    const again = await client.send(
      new PutSecretValueCommand({
        SecretId: "put-idem",
        SecretString: "fake-2",
        ClientRequestToken: token(2),
      }),
    );
    expect(again).toMatchObject({ VersionId: first.VersionId, VersionStages: ["AWSCURRENT"] });
    const error = await failure(() =>
      client.send(
        new PutSecretValueCommand({
          SecretId: "put-idem",
          SecretString: "fake-3",
          ClientRequestToken: token(2),
        }),
      ),
    );
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(error.message).toBe("You can't modify an existing version, you can only create a new version.");
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: "put-idem" }));
    expect(versions.Versions).toHaveLength(2);
  });

  it("PutSecretValue with VersionStages [AWSPENDING] leaves AWSCURRENT where it was", async () => {
    const v1 = (await create("pending", "fake-1")).VersionId;
    const pending = await client.send(
      new PutSecretValueCommand({
        SecretId: "pending",
        SecretString: "fake-2",
        VersionStages: ["AWSPENDING"],
      }),
    );
    expect(pending.VersionStages).toEqual(["AWSPENDING"]);
    expect((await client.send(new GetSecretValueCommand({ SecretId: "pending" }))).VersionId).toBe(v1);
    const got = await client.send(
      new GetSecretValueCommand({ SecretId: "pending", VersionStage: "AWSPENDING" }),
    );
    expect(got.SecretString).toBe("fake-2");
  });

  it("GetSecretValue with a VersionId and a VersionStage not attached to it is InvalidRequestException", async () => {
    const v1 = (await create("mix", "fake-1")).VersionId as string;
    const error = await failure(() =>
      client.send(new GetSecretValueCommand({ SecretId: "mix", VersionId: v1, VersionStage: "AWSPREVIOUS" })),
    );
    expect(error).toBeInstanceOf(InvalidRequestException);
  });

  it("GetSecretValue with an unknown VersionId or VersionStage is ResourceNotFoundException", async () => {
    await create("ver");
    const byId = await failure(() =>
      client.send(
        new GetSecretValueCommand({ SecretId: "ver", VersionId: "00000000-0000-0000-0000-000000000000" }),
      ),
    );
    expect(byId).toBeInstanceOf(ResourceNotFoundException);
    expect(byId.message).toContain("VersionId: 00000000-0000-0000-0000-000000000000");
    const byStage = await failure(() =>
      client.send(new GetSecretValueCommand({ SecretId: "ver", VersionStage: "NOPE" })),
    );
    expect(byStage).toBeInstanceOf(ResourceNotFoundException);
    expect(byStage.message).toContain("staging label: NOPE");
  });

  it("ListSecretVersionIds lists labelled versions, and unlabelled (deprecated) ones only with IncludeDeprecated", async () => {
    await create("hist", "fake-1");
    await client.send(new PutSecretValueCommand({ SecretId: "hist", SecretString: "fake-2" }));
    await client.send(new PutSecretValueCommand({ SecretId: "hist", SecretString: "fake-3" }));
    const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: "hist" }));
    // Oldest first, as the service lists them.
    expect(labelled.Versions?.map((v) => v.VersionStages)).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
    expect(labelled.Versions?.map((v) => v.KmsKeyIds)).toEqual([
      ["DefaultEncryptionKey"],
      ["DefaultEncryptionKey"],
    ]);
    const all = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: "hist", IncludeDeprecated: true }),
    );
    expect(all.Versions).toHaveLength(3);
    expect(all.Name).toBe("hist");
  });

  it("Deprecated versions are pruned once a secret exceeds the version threshold, but not before they reach the minimum age", async () => {
    const small = await startWithClient({
      clock: clock.now,
      versionPruneThreshold: 3,
      deprecatedVersionMinAgeMs: DAY_MS,
    });
    const c = small.client;
    try {
      await c.send(new CreateSecretCommand({ Name: "many", SecretString: "fake-1" }));
      for (let i = 2; i <= 5; i++)
        await c.send(new PutSecretValueCommand({ SecretId: "many", SecretString: `fake-${i}` }));
      const young = await c.send(
        new ListSecretVersionIdsCommand({ SecretId: "many", IncludeDeprecated: true }),
      );
      expect(young.Versions).toHaveLength(5);
      clock.advance(DAY_MS + 1);
      await c.send(new PutSecretValueCommand({ SecretId: "many", SecretString: "fake-6" }));
      const pruned = await c.send(
        new ListSecretVersionIdsCommand({ SecretId: "many", IncludeDeprecated: true }),
      );
      expect(pruned.Versions).toHaveLength(3);
      const kept = await Promise.all(
        (pruned.Versions ?? []).map(
          async (v) =>
            (await c.send(new GetSecretValueCommand({ SecretId: "many", VersionId: v.VersionId })))
              .SecretString,
        ),
      );
      expect(kept.sort()).toEqual(["fake-4", "fake-5", "fake-6"]);
    } finally {
      c.destroy();
      await small.emulator.stop();
    }
  });

  it("UpdateSecretVersionStage moving AWSCURRENT back to the previous version also moves AWSPREVIOUS (rollback)", async () => {
    const v1 = (await create("rollback", "fake-1")).VersionId as string;
    const v2 = (
      await client.send(new PutSecretValueCommand({ SecretId: "rollback", SecretString: "fake-2" }))
    ).VersionId as string;
    const missingRemove = await failure(() =>
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: "rollback",
          VersionStage: "AWSCURRENT",
          MoveToVersionId: v1,
        }),
      ),
    );
    expect(missingRemove).toBeInstanceOf(InvalidParameterException);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "rollback",
        VersionStage: "AWSCURRENT",
        MoveToVersionId: v1,
        RemoveFromVersionId: v2,
      }),
    );
    expect(await currentValue("rollback")).toBe("fake-1");
    const described = await client.send(new DescribeSecretCommand({ SecretId: "rollback" }));
    expect(described.VersionIdsToStages).toEqual({ [v1]: ["AWSCURRENT"], [v2]: ["AWSPREVIOUS"] });
  });
});

describe("UpdateSecret and DescribeSecret", () => {
  it("UpdateSecret with only a Description creates no version; with a SecretString it creates a new AWSCURRENT version", async () => {
    const v1 = (await create("upd", "fake-1")).VersionId;
    const meta = await client.send(
      new UpdateSecretCommand({ SecretId: "upd", Description: "Database login" }),
    );
    expect(meta.VersionId).toBeUndefined();
    expect((await client.send(new DescribeSecretCommand({ SecretId: "upd" }))).Description).toBe(
      "Database login",
    );
    const valued = await client.send(new UpdateSecretCommand({ SecretId: "upd", SecretString: "fake-2" }));
    expect(valued.VersionId).not.toBe(v1);
    expect(await currentValue("upd")).toBe("fake-2");
  });

  it("DescribeSecret reports tags, description, VersionIdsToStages and dates, and never the value", async () => {
    const created = await create("desc", "fake-secret-value", {
      Description: "Payment API key",
      Tags: [{ Key: "team", Value: "payments" }],
    });
    clock.advance(1500);
    await client.send(new GetSecretValueCommand({ SecretId: "desc" }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: "desc",
      Description: "Payment API key",
      Tags: [{ Key: "team", Value: "payments" }],
      VersionIdsToStages: { [created.VersionId as string]: ["AWSCURRENT"] },
    });
    expect(described.CreatedDate).toEqual(new Date(clock.now() - 1500));
    expect(described.LastAccessedDate?.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(described.DeletedDate).toBeUndefined();
    expect(JSON.stringify(described)).not.toContain("fake-secret-value");
  });
});

describe("ListSecrets", () => {
  it("pages with MaxResults and NextToken until every secret has been seen once", async () => {
    for (let i = 0; i < 5; i++) await create(`page/${i}`);
    const names: string[] = [];
    let pages = 0;
    for await (const result of paginateListSecrets({ client, pageSize: 2 }, {})) {
      pages++;
      names.push(...(result.SecretList ?? []).map((s) => s.Name as string));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(["page/0", "page/1", "page/2", "page/3", "page/4"]);
  });

  it("filters: name is a case-sensitive prefix, description a case-insensitive prefix, tag-key and tag-value prefixes", async () => {
    await create("prod/db", "x", {
      Description: "Primary database",
      Tags: [{ Key: "env", Value: "production" }],
    });
    await create("prod/cache", "x", { Tags: [{ Key: "environment", Value: "prod" }] });
    await create("dev/db", "x", {
      Description: "primary replica",
      Tags: [{ Key: "owner", Value: "dev-team" }],
    });
    const list = async (Key: string, Values: string[]) =>
      (
        (await client.send(new ListSecretsCommand({ Filters: [{ Key: Key as "name", Values }] })))
          .SecretList ?? []
      )
        .map((s) => s.Name)
        .sort();
    expect(await list("name", ["prod/"])).toEqual(["prod/cache", "prod/db"]);
    expect(await list("name", ["Prod/"])).toEqual([]);
    expect(await list("description", ["PRIMARY"])).toEqual(["dev/db", "prod/db"]);
    expect(await list("tag-key", ["env"])).toEqual(["prod/cache", "prod/db"]);
    expect(await list("tag-value", ["prod"])).toEqual(["prod/cache", "prod/db"]);
    expect(await list("name", ["dev/", "prod/c"])).toEqual(["dev/db", "prod/cache"]);
  });

  it("filters: several filters must all match, '!' negates a value, and 'all' matches words anywhere", async () => {
    await create("prod/db", "x", {
      Description: "Primary database",
      Tags: [{ Key: "env", Value: "production" }],
    });
    await create("prod/cache", "x", { Tags: [{ Key: "environment", Value: "prod" }] });
    await create("dev/db", "x", { Tags: [{ Key: "owner", Value: "dev-team" }] });
    const list = async (Filters: { Key: string; Values: string[] }[]) =>
      ((await client.send(new ListSecretsCommand({ Filters: Filters as never }))).SecretList ?? [])
        .map((s) => s.Name)
        .sort();
    expect(await list([{ Key: "name", Values: ["!prod/"] }])).toEqual(["dev/db"]);
    expect(
      await list([
        { Key: "name", Values: ["prod/"] },
        { Key: "tag-value", Values: ["production"] },
      ]),
    ).toEqual(["prod/db"]);
    expect(await list([{ Key: "all", Values: ["DATABASE"] }])).toEqual(["prod/db"]);
    expect(await list([{ Key: "all", Values: ["team"] }])).toEqual(["dev/db"]);
  });

  it("excludes secrets scheduled for deletion unless IncludePlannedDeletion, which shows their DeletedDate", async () => {
    await create("keep");
    await create("gone");
    await client.send(new DeleteSecretCommand({ SecretId: "gone" }));
    const active = await client.send(new ListSecretsCommand({}));
    expect(active.SecretList?.map((s) => s.Name)).toEqual(["keep"]);
    const all = await client.send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
    expect(all.SecretList?.map((s) => s.Name)).toEqual(["keep", "gone"]);
    expect(all.SecretList?.[1]?.DeletedDate).toEqual(new Date(clock.now()));
  });

  it("SortOrder desc and SortBy name reorder the list", async () => {
    await create("b");
    clock.advance(10);
    await create("a");
    clock.advance(10);
    await create("c");
    const names = async (input: object) =>
      ((await client.send(new ListSecretsCommand(input))).SecretList ?? []).map((s) => s.Name);
    expect(await names({})).toEqual(["b", "a", "c"]);
    expect(await names({ SortOrder: "desc" })).toEqual(["c", "a", "b"]);
    expect(await names({ SortBy: "name" })).toEqual(["a", "b", "c"]);
  });

  it("a NextToken the service did not issue is InvalidNextTokenException; MaxResults above 100 is ValidationException", async () => {
    const bad = await failure(() => client.send(new ListSecretsCommand({ NextToken: "not-a-token" })));
    expect(bad).toBeInstanceOf(InvalidNextTokenException);
    const big = await failure(() => client.send(new ListSecretsCommand({ MaxResults: 101 })));
    expect(big.name).toBe("ValidationException");
  });

  it("a filter value with characters outside the documented pattern is ValidationException", async () => {
    const error = await failure(() =>
      client.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["a*b"] }] })),
    );
    expect(error.name).toBe("ValidationException");
  });
});

describe("BatchGetSecretValue", () => {
  it("SecretIdList returns each value and reports missing or deleted secrets in Errors", async () => {
    await create("one", "fake-1");
    const two = await create("two", "fake-2");
    await create("deleted", "fake-3");
    await client.send(new DeleteSecretCommand({ SecretId: "deleted" }));
    const result = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ["one", two.ARN as string, "missing", "deleted"] }),
    );
    expect(result.SecretValues?.map((v) => [v.Name, v.SecretString, v.VersionStages])).toEqual([
      ["one", "fake-1", ["AWSCURRENT"]],
      ["two", "fake-2", ["AWSCURRENT"]],
    ]);
    expect(result.Errors).toEqual([
      {
        SecretId: "missing",
        ErrorCode: "ResourceNotFoundException",
        Message: "Secrets Manager can't find the specified secret.",
      },
      {
        SecretId: "deleted",
        ErrorCode: "InvalidRequestException",
        Message: expect.stringContaining("marked for deletion"),
      },
    ]);
  });

  it("Filters select secrets and page with MaxResults and NextToken", async () => {
    for (let i = 0; i < 5; i++) await create(`batch/${i}`, `fake-${i}`);
    await create("other", "fake-x");
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const result = await client.send(
        new BatchGetSecretValueCommand({
          Filters: [{ Key: "name", Values: ["batch/"] }],
          MaxResults: 2,
          NextToken: next,
        }),
      );
      pages++;
      seen.push(...(result.SecretValues ?? []).map((v) => v.SecretString as string));
      next = result.NextToken;
    } while (next);
    expect(pages).toBe(3);
    expect(seen).toEqual(["fake-0", "fake-1", "fake-2", "fake-3", "fake-4"]);
  });

  it("both SecretIdList and Filters, or MaxResults without Filters, is InvalidParameterException", async () => {
    const both = await failure(() =>
      client.send(
        new BatchGetSecretValueCommand({ SecretIdList: ["a"], Filters: [{ Key: "name", Values: ["a"] }] }),
      ),
    );
    expect(both).toBeInstanceOf(InvalidParameterException);
    const maxOnly = await failure(() =>
      client.send(new BatchGetSecretValueCommand({ SecretIdList: ["a"], MaxResults: 2 })),
    );
    expect(maxOnly).toBeInstanceOf(InvalidParameterException);
  });

  it("SecretIdList holds at most 20 ids (ValidationException)", async () => {
    const ids = Array.from({ length: 21 }, (_, i) => `s${i}`);
    const error = await failure(() => client.send(new BatchGetSecretValueCommand({ SecretIdList: ids })));
    expect(error.name).toBe("ValidationException");
  });
});

describe("tags", () => {
  it("TagResource adds tags and overwrites the value of an existing key; UntagResource removes keys", async () => {
    await create("tagged", "x", { Tags: [{ Key: "team", Value: "a" }] });
    await client.send(
      new TagResourceCommand({
        SecretId: "tagged",
        Tags: [
          { Key: "team", Value: "b" },
          { Key: "env", Value: "dev" },
        ],
      }),
    );
    let described = await client.send(new DescribeSecretCommand({ SecretId: "tagged" }));
    expect(described.Tags).toEqual([
      { Key: "team", Value: "b" },
      { Key: "env", Value: "dev" },
    ]);
    await client.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["team", "absent"] }));
    described = await client.send(new DescribeSecretCommand({ SecretId: "tagged" }));
    expect(described.Tags).toEqual([{ Key: "env", Value: "dev" }]);
  });

  it("TagResource on a missing secret is ResourceNotFoundException", async () => {
    const error = await failure(() =>
      client.send(new TagResourceCommand({ SecretId: "nope", Tags: [{ Key: "a", Value: "b" }] })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("DeleteSecret and RestoreSecret", () => {
  it("DeleteSecret defaults to a 30-day recovery window: DeletionDate is 30 days after the call", async () => {
    const created = await create("del");
    const deleted = await client.send(new DeleteSecretCommand({ SecretId: "del" }));
    expect(deleted).toMatchObject({ ARN: created.ARN, Name: "del" });
    expect(deleted.DeletionDate).toEqual(new Date(clock.now() + 30 * DAY_MS));
  });

  it("RecoveryWindowInDays must be 7 to 30: 6 and 31 are InvalidParameterException, 7 and 30 are accepted", async () => {
    await create("w7");
    await create("w30");
    for (const days of [6, 31]) {
      const error = await failure(() =>
        client.send(new DeleteSecretCommand({ SecretId: "w7", RecoveryWindowInDays: days })),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
    }
    const seven = await client.send(new DeleteSecretCommand({ SecretId: "w7", RecoveryWindowInDays: 7 }));
    expect(seven.DeletionDate).toEqual(new Date(clock.now() + 7 * DAY_MS));
    await client.send(new DeleteSecretCommand({ SecretId: "w30", RecoveryWindowInDays: 30 }));
  });

  it("DeleteSecret with both RecoveryWindowInDays and ForceDeleteWithoutRecovery is InvalidParameterException", async () => {
    await create("both");
    const error = await failure(() =>
      client.send(
        new DeleteSecretCommand({
          SecretId: "both",
          RecoveryWindowInDays: 7,
          ForceDeleteWithoutRecovery: true,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
    expect(await currentValue("both")).toBe("fake-password-1");
  });

  it("a secret scheduled for deletion refuses GetSecretValue, PutSecretValue, UpdateSecret and TagResource with InvalidRequestException", async () => {
    await create("sched");
    await client.send(new DeleteSecretCommand({ SecretId: "sched", RecoveryWindowInDays: 7 }));
    const calls = [
      () => currentValue("sched"),
      () => client.send(new PutSecretValueCommand({ SecretId: "sched", SecretString: "fake-2" })),
      () => client.send(new UpdateSecretCommand({ SecretId: "sched", Description: "d" })),
      () => client.send(new TagResourceCommand({ SecretId: "sched", Tags: [{ Key: "a", Value: "b" }] })),
      () => client.send(new DeleteSecretCommand({ SecretId: "sched" })),
    ];
    for (const call of calls) expect(await failure(call)).toBeInstanceOf(InvalidRequestException);
    const described = await client.send(new DescribeSecretCommand({ SecretId: "sched" }));
    expect(described.DeletedDate).toEqual(new Date(clock.now()));
  });

  it("CreateSecret with the name of a secret scheduled for deletion is InvalidRequestException", async () => {
    await create("reuse");
    await client.send(new DeleteSecretCommand({ SecretId: "reuse" }));
    const error = await failure(() => create("reuse"));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe(
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
  });

  it("RestoreSecret cancels the deletion: the value is readable again and DeletedDate is gone", async () => {
    await create("restore", "fake-keep");
    await client.send(new DeleteSecretCommand({ SecretId: "restore" }));
    const restored = await client.send(new RestoreSecretCommand({ SecretId: "restore" }));
    expect(restored.Name).toBe("restore");
    expect(await currentValue("restore")).toBe("fake-keep");
    expect(
      (await client.send(new DescribeSecretCommand({ SecretId: "restore" }))).DeletedDate,
    ).toBeUndefined();
  });

  it("ForceDeleteWithoutRecovery removes the secret at once; the name can be reused and gets a new ARN", async () => {
    const first = await create("force");
    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: "force", ForceDeleteWithoutRecovery: true }),
    );
    expect(deleted.DeletionDate).toEqual(new Date(clock.now()));
    expect(await failure(() => currentValue("force"))).toBeInstanceOf(ResourceNotFoundException);
    const second = await create("force", "fake-new");
    expect(second.ARN).not.toBe(first.ARN);
    expect(await failure(() => currentValue(first.ARN as string))).toBeInstanceOf(ResourceNotFoundException);
  });

  it("ForceDeleteWithoutRecovery also purges a secret already scheduled for deletion", async () => {
    await create("purge");
    await client.send(new DeleteSecretCommand({ SecretId: "purge" }));
    await client.send(new DeleteSecretCommand({ SecretId: "purge", ForceDeleteWithoutRecovery: true }));
    expect(await failure(() => client.send(new DescribeSecretCommand({ SecretId: "purge" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("ForceDeleteWithoutRecovery of a secret that does not exist does not return ResourceNotFoundException", async () => {
    const result = await client.send(
      new DeleteSecretCommand({ SecretId: "never-was", ForceDeleteWithoutRecovery: true }),
    );
    expect(result.Name).toBe("never-was");
  });

  it("DeleteSecret of a missing secret without force is ResourceNotFoundException", async () => {
    expect(
      await failure(() => client.send(new DeleteSecretCommand({ SecretId: "never-was" }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it("once the recovery window has passed the secret is gone and its name is free", async () => {
    await create("expire");
    await client.send(new DeleteSecretCommand({ SecretId: "expire", RecoveryWindowInDays: 7 }));
    clock.advance(7 * DAY_MS - 1);
    expect((await client.send(new DescribeSecretCommand({ SecretId: "expire" }))).DeletedDate).toBeDefined();
    clock.advance(1);
    expect(
      await failure(() => client.send(new DescribeSecretCommand({ SecretId: "expire" }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    await create("expire", "fake-again");
  });
});
