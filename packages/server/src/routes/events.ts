/**
 * GET /api/v1/events: the change feed (@coffer/service change-feed.ts) as Server-Sent Events.
 *
 *   event: ready      first, with the position the stream starts from (its `id:`)
 *   event: change     one secret change, as the caller may see it — never a value
 *   event: reset      the position asked for is no longer kept (or never existed): re-read what
 *                     you cache, then carry on from this event's id
 *   event: heartbeat  every `heartbeatMs` (15 s), with the current position as its id, so that a
 *                     client whose events are all filtered out still moves on
 *
 * `?follow=false` (and HEAD) only catches up: the events after the position, then `caught-up` with
 * the position reached as its id, and the stream ends (for polling clients and scripts).
 *
 * Resuming: `Last-Event-ID` (what EventSource sends when it reconnects) or `?since=` — the header
 * wins, since a reconnecting EventSource keeps the original URL. Without either the stream starts
 * at the newest event. A stream ends after `maxStreamMs` (10 min; the client reconnects and is
 * authenticated again, so a revoked token does not keep a stream) and at once on shutdown.
 */
import { ValidationError } from "@coffer/core";
import type { SecretChangeEvent } from "@coffer/service";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { callerOf } from "../access.js";
import type { EventStreams } from "../events/event-streams.js";
import { sseComment, sseEvent, sseRetry } from "../events/sse.js";
import type { IdentityStore } from "../identity.js";
import { queryText } from "../input/fields.js";
import type { AppContext } from "./context.js";
import { errorReplies as errors } from "./responses.js";

export interface EventRouteOptions extends AppContext {
  streams: EventStreams;
  heartbeatMs?: number;
  maxStreamMs?: number;
}

const positionText = z.string().max(20).describe("An event id (a whole number) from an earlier stream.");

const eventsQuery = z
  .object({
    since: positionText
      .optional()
      .describe("Resume after this event id (Last-Event-ID wins when both are given)."),
    name: queryText()
      .optional()
      .describe("Only events about secrets of this name (now, or before a rename)."),
    follow: z
      .enum(["true", "false"])
      .optional()
      .describe(
        "false: send the events after the position, then `caught-up` with its id, and end (default true).",
      ),
  })
  .strict();

const eventsHeaders = z
  .object({
    "last-event-id": positionText.optional().describe("Resume after this event id (EventSource sends it)."),
  })
  .passthrough();

/** How long a client waits before reconnecting after the stream ends. */
const RETRY_MS = 1000;

export const eventRoutes: FastifyPluginAsyncZod<EventRouteOptions> = async (api, options) => {
  const { service, identity, streams } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreamMs = options.maxStreamMs ?? 600_000;

  api.get("", {
    config: { permission: "read-metadata", action: "watch secrets" },
    schema: {
      tags: ["events"],
      summary: "Follow secret changes as Server-Sent Events (text/event-stream)",
      description:
        "Events `ready`, `change` (secret id, name, owner, visibility, version, action, time — never a value; `hidden` when a public secret became private), `reset` (the position asked for is no longer kept: resync, then carry on from its id) and `heartbeat`. Resume with `Last-Event-ID` or `since`. Private secrets of others produce nothing.",
      querystring: eventsQuery,
      headers: eventsHeaders,
      response: {
        // Declared as what it is, an event stream (not JSON), so generated clients do not parse it.
        200: {
          description:
            "A Server-Sent Events stream: `retry:` first, then events, each with `event:`, `id:` (the feed position to resume from) and `data:` (one JSON object). `ready` {lastEventId} first; `change` {id, secretId, action (create, update, rollback, rename, visibility, delete, or hidden: a public secret became private, shown once with the name the caller knew), name, previousName?, owner (user name), ownerId, private, version, at} — never a value; `reset` {reason, oldest}: resync, then carry on from its id; `heartbeat` {} every 15 s; with follow=false or HEAD, `caught-up` {lastEventId} last and the stream ends. A followed stream ends after 10 minutes: reconnect with Last-Event-ID.",
          content: {
            "text/event-stream": {
              schema: z.string().describe("text/event-stream; each event's data is one JSON object."),
            },
          },
        },
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const who = callerOf(request);
      const since = position(request.headers["last-event-id"] ?? request.query.since);
      const name = request.query.name;
      // Checked before the stream starts, so that an unreachable database is an error reply.
      const head = await service.changes.head();
      const show = async (events: SecretChangeEvent[]) => {
        const shown = events.filter((event) => name === undefined || about(event, name));
        const owners = await ownerNames(identity, who.userId, who.user, shown);
        return shown.map((event) => sseEvent("change", event.id, eventJson(event, owners))).join("");
      };

      if (request.query.follow === "false" || request.method === "HEAD") {
        let text = "";
        let at = since ?? head;
        for (;;) {
          const page = await service.changes.read(who.userId, at);
          if (!page.gone) text += await show(page.events);
          else text += sseEvent("reset", page.cursor, { reason: "gone", oldest: page.oldest });
          at = page.cursor;
          if (page.gone || !page.more) break;
        }
        text += sseEvent("caught-up", at, { lastEventId: at });
        return reply.type("text/event-stream; charset=utf-8").send(text);
      }

      const controller = new AbortController();
      const stop = () => controller.abort();
      const unregister = streams.add(stop);
      const raw = reply.raw;
      raw.once("close", stop);
      const lifetime = setTimeout(stop, maxStreamMs);
      let cursor = since;
      const heartbeat = setInterval(() => {
        if (cursor !== undefined) raw.write(sseEvent("heartbeat", cursor, {}));
        else raw.write(sseComment("heartbeat"));
      }, heartbeatMs);

      reply.hijack();
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        // Reverse proxies (nginx) would otherwise buffer the stream.
        "x-accel-buffering": "no",
        // The connection ends with the stream (the client reconnects on a new one anyway).
        connection: "close",
      });
      raw.write(sseRetry(RETRY_MS));
      try {
        for await (const batch of service.changes.follow(who.userId, since, controller.signal)) {
          if (batch.gone) {
            raw.write(sseEvent("reset", batch.cursor, { reason: "gone", oldest: batch.oldest }));
          } else if (cursor === undefined) {
            raw.write(sseEvent("ready", batch.cursor, { lastEventId: batch.cursor }));
          } else {
            const text = await show(batch.events);
            if (text) raw.write(text);
          }
          cursor = batch.cursor;
        }
      } catch (error) {
        // Headers are sent: the stream ends, and the client reconnects and resumes.
        request.log.warn({ err: error }, "event stream ended by an error");
      } finally {
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unregister();
        raw.end();
      }
    },
  });
};

/** A Last-Event-ID or `since`: a whole number, or a ValidationError naming the field. */
function position(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text.trim())) {
    throw new ValidationError("Last-Event-ID (or since) must be an event id: a whole number.", {
      details: { field: "Last-Event-ID" },
      hint: "Send the id of the last event received, or leave it out to start from now.",
    });
  }
  return Number(text.trim());
}

function about(event: SecretChangeEvent, name: string): boolean {
  return event.name === name || event.previousName === name;
}

async function ownerNames(
  identity: IdentityStore,
  userId: string,
  user: string,
  events: SecretChangeEvent[],
) {
  const others = [
    ...new Set(events.flatMap((event) => (event.owner && event.owner !== userId ? [event.owner] : []))),
  ];
  const names = others.length > 0 ? await identity.namesOf(others) : new Map<string, string>();
  names.set(userId, user);
  return names;
}

/** An event as the API shows it: `owner` is the owner's user name, `ownerId` their id. */
function eventJson(event: SecretChangeEvent, owners: Map<string, string>) {
  const { owner, at, ...rest } = event;
  return {
    ...rest,
    ...(owner !== undefined ? { owner: owners.get(owner) ?? owner, ownerId: owner } : {}),
    at: at.toISOString(),
  };
}
