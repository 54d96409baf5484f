/**
 * The attribute names Coffer's spans carry, from OpenTelemetry's semantic conventions (the
 * stable HTTP, database and error attributes) plus Coffer's own store attribute. Every value
 * set under them is a route pattern, a method, a status, a typed error code, a store type or a
 * dialect: nothing a client sent.
 */
export {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from "@opentelemetry/semantic-conventions";

/** The configured store's type (sql, aws, memory…), on each `coffer.store.<operation>` span. */
export const ATTR_COFFER_STORE_TYPE = "coffer.store.type";
