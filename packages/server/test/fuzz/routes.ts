/**
 * The fuzz suite's route list, read from the server's own OpenAPI document (which fastify builds
 * from the route table), so a new route is fuzzed without anyone adding it here.
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

export interface RouteSpec {
  method: string;
  /** OpenAPI path template, e.g. /api/v1/secrets/{id}. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  /** The JSON body schema, when the route takes a body. */
  body?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export function routesFrom(document: {
  paths: Record<string, Record<string, OpenApiOperation>>;
}): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const body = operation.requestBody?.content?.["application/json"]?.schema;
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((each) => each.in === "path").map((each) => each.name),
        query: parameters
          .filter((each) => each.in === "query")
          .map((each) => ({ name: each.name, schema: each.schema ?? {} })),
        ...(body ? { body } : {}),
      });
    }
  }
  return routes;
}
