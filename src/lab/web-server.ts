// A tiny web server for the lab: answers every GET on port 80 (all addresses) with a page naming
// the box, so the router can tell who served it. Run as `node web-server.js NAME [PORT] [HOST]`; HOST
// is the address listened on, 0.0.0.0 (IPv4) unless given: "::" serves IPv6 and IPv4 both.
import { createServer } from "node:http";

const name = process.argv[2] ?? "lab";
const port = Number(process.argv[3] ?? 80);
const host = process.argv[4] ?? "0.0.0.0";
const page = `<!doctype html>\n<html><head><title>${name}</title></head><body><h1>${name}</h1></body></html>\n`;

const server = createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/html", "x-served-by": name, "content-length": Buffer.byteLength(page) });
  response.end(request.method === "HEAD" ? undefined : page);
});
server.keepAliveTimeout = 0;
server.listen(port, host, () => process.stdout.write(`${JSON.stringify({ kind: "listening", name, port })}\n`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));
