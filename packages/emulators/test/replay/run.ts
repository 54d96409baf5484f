// Plays a fixture's exchanges in order against a running emulator and reports every difference.
import type { Exchange, Fixture } from "./fixtures.js";
import { send } from "./http.js";
import { fill, mismatches, type Vars } from "./match.js";

export interface Target {
  /** Base URL the fixture's paths are appended to. */
  baseUrl: string;
  ca?: string;
  /** Headers that authenticate a request (left out for `anonymous` exchanges). */
  auth: Record<string, string>;
}

/** Every mismatch of every exchange, each line prefixed with the exchange's number and request. */
export async function replay(fixture: Fixture, target: Target, vars: Vars): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, exchange] of fixture.exchanges.entries()) {
    const label = `#${index + 1} ${exchange.request.method} ${fill(exchange.request.path, vars)}`;
    const found = await play(exchange, target, vars);
    problems.push(...found.map((line) => `${label}: ${line}`));
  }
  return problems;
}

async function play(exchange: Exchange, target: Target, vars: Vars): Promise<string[]> {
  const { request, response } = exchange;
  const headers = { ...(request.anonymous ? {} : target.auth), ...fill(request.headers ?? {}, vars) };
  const reply = await send(`${target.baseUrl}${fill(request.path, vars)}`, request.method, {
    headers,
    body: fill(request.body, vars),
    ...(target.ca ? { ca: target.ca } : {}),
  });
  const problems: string[] = [];
  if (reply.status !== response.status) problems.push(`status ${reply.status}, recorded ${response.status}`);
  for (const [name, template] of Object.entries(response.headers ?? {})) {
    const value = reply.headers[name];
    problems.push(
      ...mismatches(template, Array.isArray(value) ? value.join(", ") : value, vars, `header ${name}`),
    );
  }
  if (response.body === undefined) {
    if (reply.text !== "") problems.push(`body ${reply.text.slice(0, 200)}, recorded none`);
    return problems;
  }
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return [...problems, `body is not JSON: ${reply.text.slice(0, 200)}`];
  }
  return [...problems, ...mismatches(response.body, body, vars)];
}
