// Preloaded with `node --require` into a CLI run by a test: makes `require("raw-socket")` fail as it
// does where the addon never built, so the test sees what takeover does without it.
import Module from "node:module";

type Resolve = (request: string, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };
const resolve = internals._resolveFilename;
internals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request === "raw-socket") throw new Error("Cannot find module 'raw-socket' (hidden by test/helpers/without-raw-socket)");
  return resolve.call(this, request, ...rest);
};
