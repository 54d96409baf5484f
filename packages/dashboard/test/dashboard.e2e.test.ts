// The dashboard end to end: Debian's Chromium against a real Coffer server (SQLite, and PostgreSQL
// when a database can be had), through the pages a person uses. Each main view is also checked by
// axe-core and saved as a screenshot in test-artefacts/ (git-ignored).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startPostgres, type TestDatabase } from "@coffer/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "./axe.js";
import { type Browser, chromiumMissing, launchChromium, mustFailWithoutChromium } from "./browser.js";
import { api, type DashboardServer, makeUser, startDashboardServer } from "./server.js";

const ARTEFACTS = fileURLToPath(new URL("../test-artefacts/", import.meta.url));

// Obviously fake values, each unique, so a search of the page or of storage finds only them.
const PRIVATE_VALUE = "fake-private-password-0001";
const PUBLIC_VALUE = "fake-public-password-0002";
const PRIVATE_USER_VALUE = "fake-private-username-0003";
const EDITED_VALUE = "fake-edited-password-0004";
const OTHER_PRIVATE_VALUE = "fake-bobs-private-value-0005";
// Values the tests write elsewhere (through the page or the API), never revealed.
const RENAMED_VALUE = "fake-renamed-value-0006";
const PASTED_VALUE = "fake-pasted-pass-0007";
const YAML_VALUE = "fake-yaml-token-0008";
const CONFLICT_VALUE = "fake-added-0009";
const DOOMED_VALUE = "fake-doomed-0010";
const ALL_VALUES = [
  PRIVATE_VALUE,
  PUBLIC_VALUE,
  PRIVATE_USER_VALUE,
  EDITED_VALUE,
  OTHER_PRIVATE_VALUE,
  RENAMED_VALUE,
  PASTED_VALUE,
  YAML_VALUE,
  CONFLICT_VALUE,
  DOOMED_VALUE,
];

interface Reply {
  method: string;
  url: string;
  body: string;
}

interface Watched {
  page: Page;
  /** Every request URL, console line and page error seen so far. */
  urls: string[];
  console: string[];
  errors: string[];
  /** Every reply the page received (any method, any URL: the API's and the page's own files). */
  replies: Array<Promise<Reply>>;
  /** The reads of values the test asked the page for (a Reveal or a Copy): one reply each. */
  asked: number;
}

const missing = chromiumMissing();

if (missing && mustFailWithoutChromium) {
  it("runs the dashboard's browser tests (Chromium is required in CI)", () => {
    throw new Error(`${missing}. In CI (CI=${process.env.CI}) the browser tests must run, not skip.`);
  });
} else if (missing) {
  // Skipped only off CI, on a developer's machine without Debian's Chromium (the reason, from
  // chromiumMissing(), is in the title and the warning); in CI the branch above fails instead.
  console.warn(`dashboard browser tests skipped: ${missing}`);
  it.skip(`dashboard browser tests: skipped, ${missing}`, () => {}); // why: no Chromium, off CI only
} else {
  describe.each(["sqlite", "postgres"] as const)("the dashboard on %s", (backend) => {
    let database: TestDatabase | undefined;
    let server: DashboardServer;
    let browser: Browser;
    let alice: string; // a writer: owns the secrets below
    let bob: string; // another writer, with a private secret of his own
    let reader: string;
    let bobsPrivateId: string;
    const shots = `${ARTEFACTS}${backend}/`;

    beforeAll(async () => {
      if (backend === "postgres") database = await startPostgres();
      server = await startDashboardServer(database?.url);
      alice = await makeUser(server, "alice", "writer");
      bob = await makeUser(server, "bob", "writer");
      reader = await makeUser(server, "rita", "reader");
      const bobs = await api<{ id: string }>(server, bob, "POST", "/secrets", {
        name: "bobs-own",
        values: { TOKEN: OTHER_PRIVATE_VALUE },
        private: true,
      });
      bobsPrivateId = bobs.body.id;
      browser = await launchChromium();
      mkdirSync(shots, { recursive: true });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await database?.stop();
    });

    /** A new page on the dashboard, watched from its first request (`clock`: the test drives time). */
    async function open(options: { clock?: boolean } = {}): Promise<Watched> {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      const watched: Watched = { page, urls: [], console: [], errors: [], replies: [], asked: 0 };
      page.on("request", (request) => watched.urls.push(request.url()));
      page.on("response", (response) => {
        watched.replies.push(
          response
            .text()
            .catch(() => "")
            .then((body) => ({ method: response.request().method(), url: response.url(), body })),
        );
      });
      page.on("console", (message) => watched.console.push(message.text()));
      page.on("pageerror", (error) => watched.errors.push(String(error)));
      if (options.clock) await page.clock.install();
      await page.goto(`${server.url}/ui/`);
      return watched;
    }

    async function signIn(watched: Watched, token: string): Promise<void> {
      const { page } = watched;
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "Secrets", level: 1, exact: true }).count())
        .toBe(1);
    }

    /** Everything the browser keeps for the page: web storage, cookies, IndexedDB names. */
    async function storage(page: Page): Promise<string> {
      const inPage = await page.evaluate(async () => ({
        local: { ...localStorage },
        session: { ...sessionStorage },
        documentCookie: document.cookie,
        indexedDb: (await indexedDB.databases()).map((db) => db.name),
      }));
      const cookies = await browser.context.cookies();
      return JSON.stringify({ ...inPage, cookies });
    }

    async function checkView(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
      expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
    }

    /** No value, no token: not in any URL requested, console line, page error, nor storage. */
    async function checkNothingLeaked(watched: Watched, tokens: string[]): Promise<void> {
      const kept = await storage(watched.page);
      for (const secret of [...ALL_VALUES, ...tokens]) {
        expect(kept).not.toContain(secret);
        expect(watched.urls.join("\n")).not.toContain(secret);
        expect(watched.console.join("\n")).not.toContain(secret);
        expect(watched.page.url()).not.toContain(secret);
      }
      expect(kept).toBe(
        JSON.stringify({ local: {}, session: {}, documentCookie: "", indexedDb: [], cookies: [] }),
      );
      // Values travel only in the replies to the reads the user asked for (a Reveal, a Copy), one
      // reply each: never in a write's reply (create, edit, rollback: the page asks for the
      // minimal one), a list, a metadata read, the history, the audit log or any other reply.
      const replies = await Promise.all(watched.replies);
      const withValues = replies.filter(
        (reply) => ALL_VALUES.some((value) => reply.body.includes(value)) || hasValuesField(reply.body),
      );
      const reveals = replies.filter(
        (reply) => reply.method === "GET" && /\/api\/v1\/secrets\/[^/?]+\?values=true$/.test(reply.url),
      );
      expect(
        withValues.filter((reply) => !reveals.includes(reply)).map((reply) => `${reply.method} ${reply.url}`),
        "replies that carry a value without being a reveal the user asked for",
      ).toEqual([]);
      expect(reveals.length, "reads of values: one per Reveal or Copy").toBe(watched.asked);
      // The page's own script and style break no rule of the Content-Security-Policy.
      expect(watched.console.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
      expect(watched.errors).toEqual([]);
    }

    /** Whether a reply is JSON with a `values` object anywhere in it (a secret's values). */
    function hasValuesField(body: string): boolean {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return false;
      }
      const walk = (node: unknown): boolean =>
        node !== null &&
        typeof node === "object" &&
        Object.entries(node).some(
          ([key, value]) => (key === "values" && typeof value === "object" && value !== null) || walk(value),
        );
      return walk(parsed);
    }

    async function createSecret(
      page: Page,
      name: string,
      visibility: "Private" | "Public",
      pairs: Array<[string, string]>,
    ): Promise<void> {
      await page.getByRole("link", { name: "New secret" }).click();
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel(new RegExp(`^${visibility}:`)).check();
      for (const [index, [key, value]] of pairs.entries()) {
        if (index > 0) await page.getByRole("button", { name: "Add a key" }).click();
        await page.getByLabel(`Key ${index + 1}`, { exact: true }).fill(key);
        await page.getByLabel(`Value of key ${index + 1}`, { exact: true }).fill(value);
      }
      await page.getByRole("button", { name: "Create secret" }).click();
      await expect.poll(() => page.getByRole("heading", { name, level: 1, exact: true }).count()).toBe(1);
    }

    /** How many reads of this secret's values the audit log holds. */
    async function valueReads(id: string): Promise<number> {
      const query = new URLSearchParams({ action: "secret.read", secret: id, limit: "1000" });
      const reply = await api<{ records: unknown[] }>(server, server.adminToken, "GET", `/audit?${query}`);
      expect(reply.status).toBe(200);
      return reply.body.records.length;
    }

    // The list shown is polled until it is the one expected: a filter typed under load can leave
    // the previous answer on the page for longer than the search-as-you-type pause.
    const POLL = { timeout: 15_000, interval: 100 };
    const names = (rows: string[]) => rows.map((row) => row.split(" | ")[0]);

    async function rowsShown(page: Page): Promise<string[]> {
      await page.waitForTimeout(400); // search as you type waits a quarter second
      await expect.poll(() => page.getByText("Loading…").count()).toBe(0);
      return page
        .locator("table.secrets tbody tr")
        .evaluateAll((rows) =>
          rows.map((row) => Array.from(row.querySelectorAll("td"), (cell) => cell.textContent).join(" | ")),
        );
    }

    it("signs in with a token, shows API errors in words with their hint, keeps nothing in the browser", async () => {
      const watched = await open();
      const { page } = watched;
      // The served Content-Security-Policy is in force: a script added inline does not run.
      const ran = await page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "globalThis.inlineRan = true";
        document.body.append(script);
        return (globalThis as { inlineRan?: boolean }).inlineRan ?? false;
      });
      expect(ran).toBe(false);
      watched.console.length = 0; // the refusal just provoked is the one expected CSP message
      await checkView(page, "sign-in");
      await page.getByLabel("API token").fill("coffer_not_a_real_token_0000");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByRole("alert");
      await expect.poll(() => alert.count()).toBe(1);
      const words = (await alert.textContent()) ?? "";
      expect(words).toMatch(/token/i);
      expect(await alert.locator(".error-hint").count()).toBe(1);
      await page.screenshot({ path: `${shots}sign-in-error.png` });
      await signIn(watched, alice);
      expect(await page.getByText("alice").count()).toBeGreaterThan(0);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("an enrollment token makes the new user's own token, shown once, and signs in with it", async () => {
      expect(
        (await api(server, server.adminToken, "POST", "/users", { name: "erin", role: "writer" })).status,
      ).toBe(201);
      const enrollment = await api<{ token: string }>(server, server.adminToken, "POST", "/tokens", {
        user: "erin",
        description: "e2e enrollment",
      });
      const watched = await open();
      const { page } = watched;
      await page.getByLabel("API token").fill(enrollment.body.token);
      await page.getByRole("button", { name: "Sign in" }).click();
      const shown = page.getByLabel("Your new API token");
      await expect.poll(() => shown.count()).toBe(1);
      const own = (await shown.textContent()) ?? "";
      expect((await api<{ user: string }>(server, own, "GET", "/me")).body.user).toBe("erin");
      await checkView(page, "enrolled");
      await page.getByRole("button", { name: "I have saved it: continue" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "Secrets", level: 1, exact: true }).count())
        .toBe(1);
      expect(await page.content()).not.toContain(own);
      await checkNothingLeaked(watched, [own, enrollment.body.token]);
      await page.close();

      // The enrollment token made its one token: it cannot make another.
      const again = await open();
      await again.page.getByLabel("API token").fill(enrollment.body.token);
      await again.page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => again.page.getByRole("alert").count()).toBe(1);
      expect((await again.page.getByRole("alert").textContent()) ?? "").toMatch(/not valid/);
      await again.page.screenshot({ path: `${shots}enrollment-used.png` });
      await again.page.close();
    });

    it("creates a private and a public secret with the same name, finds them by filter, reveals one value", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await createSecret(page, "e2e-db", "Private", [
        ["PASSWORD", PRIVATE_VALUE],
        ["USERNAME", PRIVATE_USER_VALUE],
      ]);
      expect(await page.getByText("private (only its owner sees it)").count()).toBe(1);
      await page.getByRole("link", { name: "Secrets", exact: true }).click();
      await createSecret(page, "e2e-db", "Public", [["PASSWORD", PUBLIC_VALUE]]);
      // The new secret's page shows key names, never a value before it is revealed.
      const html = await page.content();
      for (const value of ALL_VALUES) expect(html).not.toContain(value);
      await checkView(page, "secret-detail");

      await page.getByRole("link", { name: "Secrets", exact: true }).click();
      await page.getByLabel("Name contains").fill("e2e-d");
      await expect
        .poll(async () => (await rowsShown(page)).sort(), POLL)
        .toEqual([
          expect.stringMatching(/^e2e-db \| private \| alice \| 2 \| /),
          expect.stringMatching(/^e2e-db \| public \| alice \| 1 \| /),
        ]);
      await page.getByLabel("Visibility").selectOption({ label: "Public" });
      await expect
        .poll(() => rowsShown(page), POLL)
        .toEqual([expect.stringMatching(/^e2e-db \| public \| alice/)]);
      await page.getByLabel("Visibility").selectOption({ label: "Private" });
      await expect
        .poll(() => rowsShown(page), POLL)
        .toEqual([expect.stringMatching(/^e2e-db \| private \| alice/)]);
      await page.getByLabel("Name contains").fill("no-such-secret");
      await expect.poll(() => rowsShown(page), POLL).toEqual([]);
      await page.getByLabel("Name contains").fill("e2e-d");
      await expect.poll(() => rowsShown(page), POLL).toHaveLength(1);
      await checkView(page, "secret-list");

      await page.getByRole("link", { name: "e2e-db" }).click();
      await expect.poll(() => page.getByText("USERNAME").count()).toBe(1);
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      // Creating, listing and opening read no value: the audit log has no read of it yet.
      const privateId = new URL(page.url()).hash.split("/")[2]!;
      expect(await valueReads(privateId)).toBe(0);
      watched.asked++;
      await page.getByRole("button", { name: "Reveal PASSWORD" }).click();
      const shown = page.getByLabel("Value of PASSWORD");
      await expect.poll(() => shown.count()).toBe(1);
      // Each reveal is one audited read.
      expect(await valueReads(privateId)).toBe(1);
      expect((await shown.textContent()) ?? "").toBe(PRIVATE_VALUE);
      // One value at a time: the other key stays hidden.
      expect(await page.content()).not.toContain(PRIVATE_USER_VALUE);
      watched.asked++;
      await page.getByRole("button", { name: "Reveal USERNAME" }).click();
      await expect.poll(() => page.getByLabel("Value of USERNAME").count()).toBe(1);
      expect(await page.content()).not.toContain(PRIVATE_VALUE);
      expect(await valueReads(privateId)).toBe(2);
      await page.getByRole("button", { name: "Hide" }).click();
      expect(await page.content()).not.toContain(PRIVATE_USER_VALUE);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("copies a value without showing it, and the clipboard clears itself after 30 seconds", async () => {
      await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
      const watched = await open({ clock: true });
      const { page } = watched;
      await signIn(watched, alice);
      const found = await api<{ items: Array<{ id: string }> }>(
        server,
        alice,
        "GET",
        "/secrets?name=e2e-db&private=true",
      );
      const id = found.body.items[0]!.id;
      await page.goto(`${server.url}/ui/#/secrets/${id}`);
      const before = await valueReads(id);
      watched.asked++;
      await page.getByRole("button", { name: "Copy PASSWORD" }).click();
      await expect
        .poll(async () => (await page.getByRole("status").textContent()) ?? "")
        .toMatch(/Copied the value of PASSWORD; the clipboard is cleared in 30 seconds/);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(PRIVATE_VALUE);
      expect(await page.content()).not.toContain(PRIVATE_VALUE);
      expect(await valueReads(id)).toBe(before + 1);
      await page.clock.fastForward(29_000);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(PRIVATE_VALUE);
      await page.clock.fastForward(2_000);
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("");
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("works from the keyboard: sign in, search, open a secret, reveal a value", async () => {
      const watched = await open();
      const { page } = watched;
      /** Presses Tab until the focused element is the one named (at most 40 times). */
      async function tabTo(name: string): Promise<void> {
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press("Tab");
          const focused = await page.evaluate(() => {
            const element = document.activeElement as HTMLElement | null;
            if (!element) return "";
            const labelled = element.getAttribute("aria-label");
            const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : "";
            const wrapping = (element.closest("label")?.textContent ?? "").replace(
              element.textContent ?? "",
              "",
            );
            return (labelled || label || wrapping || element.textContent || "").trim();
          });
          if (focused === name) return;
        }
        throw new Error(`Tab never reached ${name}`);
      }
      await tabTo("API token");
      await page.keyboard.type(alice);
      await page.keyboard.press("Enter");
      await expect
        .poll(() => page.getByRole("heading", { name: "Secrets", level: 1, exact: true }).count())
        .toBe(1);
      await tabTo("Name contains");
      await page.keyboard.type("e2e-db");
      await expect.poll(() => page.locator("table.secrets tbody tr").count()).toBe(2);
      await tabTo("e2e-db");
      await page.keyboard.press("Enter");
      await expect
        .poll(() => page.getByRole("heading", { name: "e2e-db", level: 1, exact: true }).count())
        .toBe(1);
      await tabTo("Reveal PASSWORD");
      watched.asked++;
      await page.keyboard.press("Enter");
      await expect.poll(() => page.getByLabel("Value of PASSWORD").count()).toBe(1);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("pages through the list with the API's cursor", async () => {
      for (let i = 0; i < 7; i++) {
        const created = await api(server, alice, "POST", "/secrets", {
          name: `e2e-page-${i}`,
          values: { K: "fake" },
          private: false,
        });
        expect(created.status).toBe(201);
      }
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.getByLabel("Name contains").fill("e2e-page-");
      await page.getByLabel("Per page").selectOption("5");
      await expect
        .poll(async () => names(await rowsShown(page)), POLL)
        .toEqual(["e2e-page-0", "e2e-page-1", "e2e-page-2", "e2e-page-3", "e2e-page-4"]);
      await page.getByRole("button", { name: "Next page" }).click();
      await expect.poll(async () => names(await rowsShown(page)), POLL).toEqual(["e2e-page-5", "e2e-page-6"]);
      expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
      expect(watched.urls.some((url) => url.includes("cursor="))).toBe(true);
      await page.getByRole("button", { name: "Previous page" }).click();
      await expect.poll(() => rowsShown(page), POLL).toHaveLength(5);

      // The further filters: starts/ends with, owner, created and updated ranges (by day).
      await page.getByLabel("Per page").selectOption("100");
      await page.getByLabel("Match").selectOption({ label: "ends with" });
      await page.getByLabel("Name ends with").fill("page-6");
      await expect.poll(async () => names(await rowsShown(page)), POLL).toEqual(["e2e-page-6"]);
      await page.getByLabel("Match").selectOption({ label: "is exactly" });
      await expect.poll(() => rowsShown(page), POLL).toEqual([]);
      await page.getByLabel("Name is exactly").fill("e2e-page-3");
      await expect.poll(async () => names(await rowsShown(page)), POLL).toEqual(["e2e-page-3"]);
      await page.getByLabel("Match").selectOption({ label: "starts with" });
      await page.getByLabel("Name starts with").fill("e2e-page-");
      await expect.poll(() => rowsShown(page), POLL).toHaveLength(7);
      await page.getByText("More filters").click();
      await page.getByLabel("Owner").fill("bob");
      await expect.poll(() => rowsShown(page), POLL).toEqual([]);
      await page.getByLabel("Owner").fill("alice");
      await expect.poll(() => rowsShown(page), POLL).toHaveLength(7);
      const today = new Date();
      const day = (offset: number) => {
        const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
        return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
      };
      await page.getByLabel("Created from").fill(day(1));
      await expect.poll(() => rowsShown(page), POLL).toEqual([]);
      await page.getByLabel("Created from").fill(day(0));
      await page.getByLabel("Updated before").fill(day(1));
      await expect.poll(() => rowsShown(page), POLL).toHaveLength(7);
      await checkView(page, "secret-list-filters");
      await page.close();
    });

    it("edits with check-and-set: a conflicting write is shown, with what changed, and reload recovers", async () => {
      const found = await api<{ items: Array<{ id: string }> }>(
        server,
        alice,
        "GET",
        "/secrets?name=e2e-db&private=false",
      );
      const id = found.body.items[0]!.id;
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.goto(`${server.url}/ui/#/secrets/${id}/edit`);
      // A hash change keeps the page (and its in-memory session); reloading would sign out.
      await expect.poll(() => page.getByRole("heading", { name: "Edit e2e-db" }).count()).toBe(1);
      expect(await page.getByLabel("Value of key 1", { exact: true }).inputValue()).toBe("");
      await checkView(page, "secret-editor");
      // Someone else writes meanwhile.
      const meanwhile = await api(server, alice, "PATCH", `/secrets/${id}`, {
        values: { ADDED: CONFLICT_VALUE },
      });
      expect(meanwhile.status).toBe(200);
      await page.getByLabel("Value of key 1", { exact: true }).fill(EDITED_VALUE);
      await page.getByRole("button", { name: "Save changes" }).click();
      const alert = page.getByRole("alert");
      await expect.poll(() => alert.count()).toBe(1);
      const words = (await alert.textContent()) ?? "";
      expect(words).toMatch(/Someone changed this secret after you opened it \(you had version 1\)/);
      expect(words).toMatch(/Version 2: update by alice: added ADDED/);
      await page.screenshot({ path: `${shots}edit-conflict.png`, fullPage: true });
      await page.getByRole("button", { name: "Reload the latest version" }).click();
      await expect.poll(() => page.getByRole("alert").count()).toBe(0);
      expect(await page.getByLabel("Key 2", { exact: true }).inputValue()).toBe("ADDED");
      await page.getByLabel("Value of key 1", { exact: true }).fill(EDITED_VALUE);
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "e2e-db", level: 1, exact: true }).count())
        .toBe(1);
      const after = await api<{ version: number; values: Record<string, string> }>(
        server,
        alice,
        "GET",
        `/secrets/${id}`,
      );
      expect(after.body.version).toBe(3);
      expect(after.body.values).toEqual({ PASSWORD: EDITED_VALUE, ADDED: CONFLICT_VALUE });
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);

      // History by key name, and a rollback to the first version.
      await page.getByRole("button", { name: "Show history" }).click();
      await expect.poll(() => page.locator("ol.history li").count()).toBe(3);
      await checkView(page, "secret-history");
      await page.getByRole("button", { name: "Roll back to version 1" }).click();
      await expect.poll(() => page.getByRole("status").count()).toBe(1);
      expect((await page.getByRole("status").textContent()) ?? "").toMatch(/version 1: now version 4/);
      const rolled = await api<{ values: Record<string, string> }>(server, alice, "GET", `/secrets/${id}`);
      expect(rolled.body.values).toEqual({ PASSWORD: PUBLIC_VALUE });
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("renames a secret and makes it public from the edit form", async () => {
      const created = await api<{ id: string }>(server, alice, "POST", "/secrets", {
        name: "e2e-rename-me",
        values: { K: RENAMED_VALUE },
        private: true,
      });
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.goto(`${server.url}/ui/#/secrets/${created.body.id}/edit`);
      await expect.poll(() => page.getByRole("heading", { name: "Edit e2e-rename-me" }).count()).toBe(1);
      await page.getByLabel("Name", { exact: true }).fill("e2e-renamed");
      await page.getByLabel(/^Public:/).check();
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "e2e-renamed", level: 1, exact: true }).count())
        .toBe(1);
      expect(await page.getByText("public", { exact: true }).count()).toBe(1);
      const after = await api<{ name: string; private: boolean; values: Record<string, string> }>(
        server,
        alice,
        "GET",
        `/secrets/${created.body.id}`,
      );
      expect(after.body).toMatchObject({
        name: "e2e-renamed",
        private: false,
        values: { K: RENAMED_VALUE },
      });
      expect(await page.content()).not.toContain(RENAMED_VALUE);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("fills the editor from a pasted .env document, a YAML one and a file, and refuses a bad line by number", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.getByRole("link", { name: "New secret" }).click();
      await page.getByLabel("Name", { exact: true }).fill("e2e-pasted");
      await page.getByText("Paste a .env, JSON or YAML document").click();
      const pasteBox = page.getByLabel("A .env, JSON or YAML document");
      await pasteBox.fill("A=1\nthis line is fake-pasted-bad-line");
      await page.getByRole("button", { name: "Add these keys" }).click();
      const alert = page.getByRole("alert");
      await expect.poll(() => alert.count()).toBe(1);
      expect((await alert.textContent()) ?? "").toMatch(/Line 2 of the pasted document is not NAME=value/);
      expect((await alert.textContent()) ?? "").not.toContain("fake-pasted-bad-line");
      await pasteBox.fill(`# from .env\nexport DB_USER=fake-user\nDB_PASS="${PASTED_VALUE}"\n`);
      await page.getByRole("button", { name: "Add these keys" }).click();
      await expect.poll(() => page.getByLabel("Key 2", { exact: true }).count()).toBe(1);
      expect(await pasteBox.inputValue()).toBe("");
      expect(await page.getByLabel("Key 1", { exact: true }).inputValue()).toBe("DB_USER");
      expect(await page.getByLabel("Key 2", { exact: true }).inputValue()).toBe("DB_PASS");
      // YAML: its parser is a chunk loaded on demand, under the page's Content-Security-Policy.
      await pasteBox.fill(`API_TOKEN: "${YAML_VALUE}"\nDB_USER: fake-user\n`);
      await page.getByRole("button", { name: "Add these keys" }).click();
      await expect.poll(() => page.getByLabel("Key 3", { exact: true }).count()).toBe(1);
      expect(await page.getByLabel("Key 3", { exact: true }).inputValue()).toBe("API_TOKEN");
      await page.getByRole("button", { name: "Add a key" }).click();
      await page.getByLabel("Key 4", { exact: true }).fill("CERT");
      await page.getByLabel("Load the value of key 4 from a file").setInputFiles({
        name: "cert.pem",
        mimeType: "text/plain",
        buffer: Buffer.from("-----BEGIN FAKE CERTIFICATE-----\nfake\n-----END FAKE CERTIFICATE-----\n"),
      });
      await expect
        .poll(() => page.getByLabel("Value of key 4", { exact: true }).inputValue())
        .toMatch(/BEGIN FAKE CERTIFICATE/);
      await checkView(page, "secret-editor-new");
      await page.getByRole("button", { name: "Create secret" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "e2e-pasted", level: 1, exact: true }).count())
        .toBe(1);
      const found = await api<{ items: Array<{ id: string }> }>(
        server,
        alice,
        "GET",
        "/secrets?name=e2e-pasted",
      );
      const read = await api<{ values: Record<string, string> }>(
        server,
        alice,
        "GET",
        `/secrets/${found.body.items[0]!.id}`,
      );
      expect(read.body.values).toEqual({
        DB_USER: "fake-user",
        DB_PASS: PASTED_VALUE,
        API_TOKEN: YAML_VALUE,
        CERT: "-----BEGIN FAKE CERTIFICATE-----\nfake\n-----END FAKE CERTIFICATE-----\n",
      });
      expect(await page.content()).not.toContain(PASTED_VALUE);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("checks a document's references by name and key, reading no value", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, reader);
      await page.getByRole("link", { name: "References" }).click();
      await page
        .getByLabel(/A document with/)
        .fill('{"db": "{{e2e-db.PASSWORD}}", "gone": "{{no-such-secret.K}}", "key": "{{e2e-db.NOPE}}"}');
      await page.getByRole("button", { name: "Check" }).click();
      const status = page.getByRole("status");
      await expect.poll(() => status.count()).toBe(1);
      const words = (await status.textContent()) ?? "";
      expect(words).toMatch(/2 references cannot be resolved/);
      expect(words).toContain("{{no-such-secret.K}}");
      expect(words).toContain("{{e2e-db.NOPE}}");
      expect(words).not.toContain("{{e2e-db.PASSWORD}}");
      await checkView(page, "references");
      await page.getByLabel(/A document with/).fill("DB={{e2e-db.PASSWORD}}");
      await page.getByRole("button", { name: "Check" }).click();
      await expect
        .poll(async () => (await status.textContent()) ?? "")
        .toMatch(/Every reference names a secret and key/);
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      await checkNothingLeaked(watched, [reader]);
      await page.close();
    });

    it("a reader sees key names but cannot reveal", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, reader);
      expect(await page.getByRole("link", { name: "New secret" }).count()).toBe(0);
      await page.getByLabel("Name contains").fill("e2e-db");
      await expect
        .poll(() => rowsShown(page), POLL)
        .toEqual([expect.stringMatching(/^e2e-db \| public \| alice/)]);
      await page.getByRole("link", { name: "e2e-db" }).click();
      await expect.poll(() => page.getByText("PASSWORD").count()).toBe(1);
      expect(await page.getByRole("button", { name: /Reveal/ }).count()).toBe(0);
      expect(await page.getByText(/Your role \(reader\) may see key names but not values/).count()).toBe(1);
      expect(await page.getByRole("button", { name: "Edit" }).count()).toBe(0);
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      await checkView(page, "secret-detail-reader");
      await checkNothingLeaked(watched, [reader]);
      await page.close();
    });

    it("an auditor reads the audit log and metadata, never a value, and manages no one", async () => {
      const auditor = await makeUser(server, "audra", "auditor");
      const watched = await open();
      const { page } = watched;
      await signIn(watched, auditor);
      expect(await page.getByRole("link", { name: "Audit log" }).count()).toBe(1);
      expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "New secret" }).count()).toBe(0);
      await page.getByLabel("Name contains").fill("e2e-db");
      await expect
        .poll(() => rowsShown(page), POLL)
        .toEqual([expect.stringMatching(/^e2e-db \| public \| alice/)]);
      await page.getByRole("link", { name: "e2e-db" }).click();
      await expect.poll(() => page.getByText("PASSWORD").count()).toBe(1);
      expect(await page.getByRole("button", { name: /Reveal|Copy/ }).count()).toBe(0);
      await page.getByRole("link", { name: "Audit log" }).click();
      await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(5);
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      await checkNothingLeaked(watched, [auditor]);
      await page.close();
    });

    it("another user's private secret never appears, not even by its id", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.getByLabel("Name contains").fill("bobs");
      await expect.poll(() => rowsShown(page), POLL).toEqual([]);
      await page.getByLabel("Name contains").fill("");
      // The unfiltered list, not the empty answer to "bobs" still on the page.
      await expect.poll(async () => (await rowsShown(page)).length, POLL).toBeGreaterThan(0);
      const all = await rowsShown(page);
      expect(all.join("\n")).not.toContain("bobs-own");
      await page.goto(`${server.url}/ui/#/secrets/${bobsPrivateId}`);
      const alert = page.getByRole("alert");
      await expect.poll(() => alert.count()).toBe(1);
      expect((await alert.textContent()) ?? "").toMatch(/not found|no secret/i);
      expect(await page.content()).not.toContain("bobs-own");
      expect(await page.content()).not.toContain(OTHER_PRIVATE_VALUE);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("deletes after confirmation only", async () => {
      const created = await api<{ id: string }>(server, alice, "POST", "/secrets", {
        name: "e2e-doomed",
        values: { K: DOOMED_VALUE },
        private: true,
      });
      const watched = await open();
      const { page } = watched;
      await signIn(watched, alice);
      await page.goto(`${server.url}/ui/#/secrets/${created.body.id}`);
      await page.getByRole("button", { name: "Delete" }).click();
      const confirm = page.getByRole("alertdialog");
      expect((await confirm.textContent()) ?? "").toMatch(
        /Delete e2e-doomed \(private\) and all its values\?/,
      );
      await page.screenshot({ path: `${shots}delete-confirm.png` });
      await page.getByRole("button", { name: "Cancel" }).click();
      expect((await api(server, alice, "GET", `/secrets/${created.body.id}`)).status).toBe(200);
      await page.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("button", { name: "Yes, delete it" }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: "Secrets", level: 1, exact: true }).count())
        .toBe(1);
      expect((await api(server, alice, "GET", `/secrets/${created.body.id}`)).status).toBe(404);
      await checkNothingLeaked(watched, [alice]);
      await page.close();
    });

    it("admin: adds a user, makes a token shown once, reads the audit log", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, server.adminToken);
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByLabel("Name", { exact: true }).fill("carol");
      await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("reader");
      await page.getByRole("button", { name: "Add user" }).click();
      await expect.poll(() => page.getByLabel("Role of carol").count()).toBe(1);
      await page.getByLabel("Role of carol").selectOption("value-reader");
      await expect
        .poll(async () => {
          const users = await api<{ users: Array<{ name: string; role: string }> }>(
            server,
            server.adminToken,
            "GET",
            "/users",
          );
          return users.body.users.find((user) => user.name === "carol")?.role;
        })
        .toBe("value-reader");
      await checkView(page, "users");

      await page.getByRole("link", { name: "Tokens" }).click();
      await page.getByLabel("Description").fill("e2e made in the dashboard");
      await page.getByRole("button", { name: "Make a token" }).click();
      const made = page.getByLabel("The new token");
      await expect.poll(() => made.count()).toBe(1);
      const token = (await made.textContent()) ?? "";
      expect((await api(server, token, "GET", "/me")).status).toBe(200);
      await checkView(page, "tokens");
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByRole("link", { name: "Tokens" }).click();
      await expect.poll(() => page.getByText("e2e made in the dashboard").count()).toBe(1);
      expect(await page.content()).not.toContain(token);

      await page.getByRole("link", { name: "Audit log" }).click();
      await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(5);
      await page.getByLabel("Actor").fill("alice");
      await page.getByRole("button", { name: "Filter" }).click();
      await expect
        .poll(async () => {
          const actors = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
          return actors.length > 0 && actors.every((actor) => actor === "alice");
        })
        .toBe(true);
      const today = new Date();
      const day = (offset: number) => {
        const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
        return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
      };
      await page.getByLabel("Until").fill(day(-1));
      await page.getByRole("button", { name: "Filter" }).click();
      await expect.poll(() => page.locator("tbody tr").count()).toBe(0);
      await page.getByLabel("Until").fill(day(0));
      await page.getByRole("button", { name: "Filter" }).click();
      await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
      for (const value of ALL_VALUES) expect(await page.content()).not.toContain(value);
      await checkView(page, "audit-log");

      // The store: backend, health, keys (admins), and a key rotation that keeps every value.
      await page.getByRole("link", { name: "Store" }).click();
      await expect.poll(() => page.getByText("Encryption keys").count()).toBe(1);
      expect((await page.locator("dl.metadata").textContent()) ?? "").toMatch(/Backend\s*sql/);
      await checkView(page, "store");
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "Rotate the encryption key" }).click();
      await expect
        .poll(async () => (await page.getByRole("status").textContent()) ?? "")
        .toMatch(/^Rotated from/);
      expect((await page.getByRole("status").textContent()) ?? "").toMatch(/0 remaining, 0 unreadable/);
      // Every value is under the new key (the count the page polls while a rotation runs).
      await expect
        .poll(async () => (await page.locator("dl.metadata").textContent()) ?? "")
        .toMatch(/(\d+) of \1 values under the active key/);
      const stillThere = await api<{ items: Array<{ id: string }> }>(
        server,
        alice,
        "GET",
        "/secrets?name=e2e-db&private=true",
      );
      const read = await api<{ values: Record<string, string> }>(
        server,
        alice,
        "GET",
        `/secrets/${stillThere.body.items[0]!.id}`,
      );
      expect(read.body.values.PASSWORD).toBe(PRIVATE_VALUE);
      await checkNothingLeaked(watched, [server.adminToken, token]);
      await page.close();
    });

    it("signing out revokes the session token it made, and only that", async () => {
      const watched = await open();
      const { page } = watched;
      const before = await sessionTokens();
      await signIn(watched, bob);
      const during = await sessionTokens();
      const made = during.filter((id) => !before.includes(id));
      expect(made).toHaveLength(1);
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect.poll(() => page.getByLabel("API token").count()).toBe(1);
      const tokens = await api<{ tokens: Array<{ id: string; revoked: boolean }> }>(
        server,
        server.adminToken,
        "GET",
        "/tokens",
      );
      expect(tokens.body.tokens.find((listed) => listed.id === made[0])?.revoked).toBe(true);
      expect((await api(server, bob, "GET", "/me")).status).toBe(200);
      await checkNothingLeaked(watched, [bob]);
      await page.close();

      async function sessionTokens(): Promise<string[]> {
        const listed = await api<{
          tokens: Array<{ id: string; user: string; description: string; revoked: boolean }>;
        }>(server, server.adminToken, "GET", "/tokens");
        return listed.body.tokens
          .filter(
            (listed) =>
              listed.user === "bob" && listed.description === "dashboard session" && !listed.revoked,
          )
          .map((listed) => listed.id);
      }
    });

    it("a session revoked elsewhere returns to sign-in, saying so", async () => {
      const watched = await open();
      const { page } = watched;
      await signIn(watched, bob);
      const tokens = await api<{
        tokens: Array<{ id: string; user: string; description: string; revoked: boolean }>;
      }>(server, server.adminToken, "GET", "/tokens");
      const sessions = tokens.body.tokens.filter(
        (token) => token.user === "bob" && token.description === "dashboard session" && !token.revoked,
      );
      expect(sessions).toHaveLength(1);
      expect((await api(server, server.adminToken, "DELETE", `/tokens/${sessions[0]!.id}`)).status).toBe(204);
      // The server trusts a verified token for up to identityCacheSeconds (5 s by default): the
      // page learns of the revocation at its first request after that.
      let view = 0;
      await expect
        .poll(
          async () => {
            const signedOut = await page.getByLabel("API token").count();
            if (signedOut === 0) {
              const name = view++ % 2 === 0 ? "Tokens" : "Secrets";
              // The page may turn to sign-in between the check and the click: then the link is gone.
              await page
                .getByRole("link", { name, exact: true })
                .click({ timeout: 1000 })
                .catch(() => undefined);
            }
            return signedOut;
          },
          { timeout: 15_000, interval: 500 },
        )
        .toBe(1);
      expect((await page.getByRole("alert").textContent()) ?? "").toMatch(
        /Your session has ended.*Sign in again/,
      );
      await page.screenshot({ path: `${shots}session-ended.png` });
      // Signing in again goes back to the view the session ended on.
      const onView = new URL(page.url()).hash;
      await page.getByLabel("API token").fill(bob);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.getByRole("button", { name: "Sign out" }).count()).toBe(1);
      expect(new URL(page.url()).hash).toBe(onView);
      expect(await page.getByRole("alert").count()).toBe(0);
      await page.close();
    });

    it("is readable at 360 px wide and in dark mode", async () => {
      const watched = await open();
      const { page } = watched;
      await page.setViewportSize({ width: 360, height: 740 });
      await page.emulateMedia({ colorScheme: "dark" });
      await signIn(watched, alice);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await checkView(page, "secret-list-narrow-dark");
      await page.close();
    });
  });
}
