import {
  CreateSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsEmulator } from "../src/aws/index.js";
import { connectOutcome, failure, rawCall, startWithClient } from "./aws-helpers.js";

let emulator: AwsEmulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ emulator, client } = await startWithClient());
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});
beforeEach(() => emulator.reset());

describe("AWS JSON 1.1 wire format", () => {
  it("answers POST / with content-type application/x-amz-json-1.1, an x-amzn-RequestId and epoch-second timestamps", async () => {
    await rawCall(emulator, "CreateSecret", {
      Name: "wire",
      SecretString: "fake-1",
      ClientRequestToken: "a".repeat(32),
    });
    const response = await rawCall(emulator, "GetSecretValue", { SecretId: "wire" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(typeof body.CreatedDate).toBe("number");
    expect(Math.abs((body.CreatedDate as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(body.VersionId).toBe("a".repeat(32));
  });

  it("errors carry __type and Message in the body and the code in the x-amzn-errortype header", async () => {
    const response = await rawCall(emulator, "GetSecretValue", { SecretId: "missing" });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^ResourceNotFoundException:/);
    expect(await response.json()).toEqual({
      __type: "ResourceNotFoundException",
      Message: "Secrets Manager can't find the specified secret.",
    });
  });

  it("SecretBinary travels as base64 in both directions", async () => {
    const bytes = Buffer.from([0, 159, 146, 150, 255]);
    await rawCall(emulator, "CreateSecret", {
      Name: "b64",
      SecretBinary: bytes.toString("base64"),
      ClientRequestToken: "b".repeat(32),
    });
    const body = (await (await rawCall(emulator, "GetSecretValue", { SecretId: "b64" })).json()) as {
      SecretBinary: string;
    };
    expect(Buffer.from(body.SecretBinary, "base64")).toEqual(bytes);
  });

  it("a request without an Authorization header is MissingAuthenticationTokenException (HTTP 403)", async () => {
    const response = await rawCall(emulator, "ListSecrets", {}, {});
    expect(response.status).toBe(403);
    expect(((await response.json()) as { __type: string }).__type).toBe(
      "MissingAuthenticationTokenException",
    );
  });

  it("an Authorization header that is not SigV4 is IncompleteSignatureException; any SigV4 credential is accepted", async () => {
    const basic = await rawCall(emulator, "ListSecrets", {}, { authorization: "Basic dXNlcjpwYXNz" });
    expect(basic.status).toBe(400);
    expect(((await basic.json()) as { __type: string }).__type).toBe("IncompleteSignatureException");
    const other = await rawCall(
      emulator,
      "ListSecrets",
      {},
      {
        authorization:
          "AWS4-HMAC-SHA256 Credential=SOMEONEELSE/20260101/eu-west-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=ff",
      },
    );
    expect(other.status).toBe(200);
  });

  it("an unknown X-Amz-Target operation is UnknownOperationException", async () => {
    const response = await rawCall(emulator, "LaunchRockets", {});
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });

  it("a body that is not JSON, or a member of the wrong type, is SerializationException", async () => {
    const notJson = await rawCall(emulator, "ListSecrets", "{not json");
    expect(((await notJson.json()) as { __type: string }).__type).toBe("SerializationException");
    const wrongType = await rawCall(emulator, "GetSecretValue", { SecretId: 42 });
    expect(((await wrongType.json()) as { __type: string }).__type).toBe("SerializationException");
  });

  it("every constraint violation is listed in one ValidationException", async () => {
    const response = await rawCall(emulator, "ListSecrets", { MaxResults: 0, SortOrder: "sideways" });
    const body = (await response.json()) as { __type: string; Message: string };
    expect(body.__type).toBe("ValidationException");
    expect(body.Message).toMatch(/^2 validation errors detected: /);
    expect(body.Message).toContain("'maxResults'");
    expect(body.Message).toContain("'sortOrder'");
  });
});

describe("fault injection", () => {
  it("failNext(2, 'ThrottlingException') fails the next two calls with ThrottlingException (HTTP 400), then calls succeed", async () => {
    await client.send(new CreateSecretCommand({ Name: "t", SecretString: "fake-1" }));
    emulator.failNext(2, "ThrottlingException");
    for (let i = 0; i < 2; i++) {
      const error = await failure(() => client.send(new GetSecretValueCommand({ SecretId: "t" })));
      expect(error.name).toBe("ThrottlingException");
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    }
    expect((await client.send(new GetSecretValueCommand({ SecretId: "t" }))).SecretString).toBe("fake-1");
  });

  it("failNext(1) fails with InternalServiceError (HTTP 500, server fault) and changes no state", async () => {
    emulator.failNext(1);
    const error = await failure(() =>
      client.send(new CreateSecretCommand({ Name: "x", SecretString: "fake-1" })),
    );
    expect(error).toBeInstanceOf(InternalServiceError);
    expect(error.$fault).toBe("server");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 500 });
    const missing = await failure(() => client.send(new GetSecretValueCommand({ SecretId: "x" })));
    expect(missing.name).toBe("ResourceNotFoundException");
  });

  it("failNext rejects an unknown fault kind", () => {
    expect(() => emulator.failNext(1, "Nope" as never)).toThrow(RangeError);
  });
});

describe("suspend and resume", () => {
  it("while suspended connections are refused; after resume the same port serves the same secrets", async () => {
    await client.send(new CreateSecretCommand({ Name: "kept", SecretString: "fake-kept" }));
    const port = emulator.port;
    await emulator.suspend();
    try {
      expect(await connectOutcome(port)).toBe("ECONNREFUSED");
      const sdkError = await failure(() => client.send(new GetSecretValueCommand({ SecretId: "kept" })));
      expect(sdkError.message + JSON.stringify(sdkError)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    } finally {
      await emulator.resume();
    }
    expect(emulator.port).toBe(port);
    expect((await client.send(new GetSecretValueCommand({ SecretId: "kept" }))).SecretString).toBe(
      "fake-kept",
    );
  });

  it("suspend drops keep-alive connections that were already open", async () => {
    await client.send(new CreateSecretCommand({ Name: "ka", SecretString: "fake-1" }));
    // The SDK's agent keeps the socket from the call above open; suspend must cut it.
    await emulator.suspend();
    try {
      const error = await failure(() => client.send(new GetSecretValueCommand({ SecretId: "ka" })));
      expect(error.message + JSON.stringify(error)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    } finally {
      await emulator.resume();
    }
    expect((await client.send(new GetSecretValueCommand({ SecretId: "ka" }))).SecretString).toBe("fake-1");
  });
});
