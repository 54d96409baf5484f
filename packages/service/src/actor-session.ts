/**
 * One actor's view of the service: the SecretsSession API with the actor bound, so that a front
 * end (the client's local mode, the server's request handlers) passes it once rather than to
 * every call. Each call goes through the facade, audited as usual.
 */
import type { Actor, SecretsSession } from "@coffer/core";
import type { SecretsService } from "./service.js";

export function actorSession(service: SecretsService, actor: Actor): SecretsSession {
  return {
    create: (input) => service.create(actor, input),
    get: (ref, options) => service.get(actor, ref, options),
    getMetadata: (ref) => service.getMetadata(actor, ref),
    list: (query) => service.list(actor, query),
    update: (ref, input, options) => service.update(actor, ref, input, options),
    rename: (ref, newName, options) => service.rename(actor, ref, newName, options),
    setVisibility: (ref, isPrivate, options) => service.setVisibility(actor, ref, isPrivate, options),
    put: (name, values, options) => service.put(actor, name, values, options),
    delete: (ref, options) => service.delete(actor, ref, options),
    history: (ref) => service.history(actor, ref),
    rollback: (ref, toVersion, options) => service.rollback(actor, ref, toVersion, options),
    validateReferences: (config, level) => service.validateReferences(actor, config, level),
    resolveReferences: (config, level) => service.resolveReferences(actor, config, level),
  };
}
