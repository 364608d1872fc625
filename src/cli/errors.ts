// Errors a verb raises for bad input from the operator (a flag, a file, an address): printed as one
// line, `takeover: <message>`, with exit status 2.
export class UsageError extends Error {
  override readonly name = "UsageError";
}
