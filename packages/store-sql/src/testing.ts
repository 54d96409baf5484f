// Entry `@coffer/store-sql/testing`: fixtures for the tests of the packages that build on the store.
export * from "./testing/raw-rows.js";
