// The README snippets that use the SDK type-check as a user's program would: every ```ts block
// (tested or not) that imports "@coffer/client", from the repository README and this package's,
// compiled by the repository's TypeScript under `strict` in a fresh project outside the checkout
// that has only @coffer/client (the built package) and @types/node installed. The README's
// quick start runs its blocks too (packages/cli/test/readme.test.ts); this checks their types.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const client = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(client, "../..");

/** The tsconfig.json a user's Node program would have (what the README tells them to use). */
export const USER_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    types: ["node"],
    skipLibCheck: false,
    noEmit: true,
  },
};

function sdkSnippets(): Array<{ where: string; code: string }> {
  const snippets: Array<{ where: string; code: string }> = [];
  for (const file of [path.join(root, "README.md"), path.join(client, "README.md")]) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^```ts(?: test)?\n([\s\S]*?)^```$/gm)) {
      const code = match[1]!;
      if (!code.includes('from "@coffer/client"')) continue;
      const line = text.slice(0, match.index).split("\n").length;
      snippets.push({ where: `${path.relative(root, file)}:${line}`, code });
    }
  }
  return snippets;
}

describe("README SDK snippets", () => {
  it("are found in both READMEs", () => {
    const where = sdkSnippets().map((snippet) => snippet.where.split(":")[0]);
    expect(where).toContain("README.md");
    expect(where).toContain("packages/client/README.md");
  });

  it("type-check under tsc --strict in a user's project", { timeout: 120_000 }, () => {
    const app = tempDir();
    mkdirSync(path.join(app, "node_modules", "@coffer"), { recursive: true });
    mkdirSync(path.join(app, "node_modules", "@types"), { recursive: true });
    symlinkSync(client, path.join(app, "node_modules", "@coffer", "client"));
    symlinkSync(
      realpathSync(path.join(root, "node_modules", "@types", "node")),
      path.join(app, "node_modules", "@types", "node"),
    );
    writeFileSync(path.join(app, "package.json"), '{ "type": "module" }\n');
    writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(USER_TSCONFIG, null, 2));
    const snippets = sdkSnippets();
    snippets.forEach((snippet, index) => {
      // Each snippet is its own module; the comment maps tsc's messages back to the README.
      writeFileSync(
        path.join(app, `snippet-${index}.ts`),
        `// ${snippet.where}\n${snippet.code}\nexport {};\n`,
      );
    });
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", app, "--pretty", "false"], {
      cwd: app,
      encoding: "utf8",
    });
    const where = snippets.map((snippet, index) => `snippet-${index}.ts = ${snippet.where}`).join("\n");
    expect(`${result.stdout}${result.stderr}`, where).toBe("");
    expect(result.status).toBe(0);
  });
});
