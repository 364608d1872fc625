// A tiny web server for the lab: answers every GET on port 80 with a page naming the box, so the
// router can tell who served it. Run as `node web-server.js NAME [PORT] [HOST]`. HOST is the address
// listened on; without it "::", IPv6 and IPv4 both, or 0.0.0.0 (IPv4 alone) in a namespace with
// IPv6 disabled.
import { createServer } from "node:http";

const name = process.argv[2] ?? "lab";
const port = Number(process.argv[3] ?? 80);
const host = process.argv[4];
const page = `<!doctype html>\n<html><head><title>${name}</title></head><body><h1>${name}</h1></body></html>\n`;

const server = createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/html", "x-served-by": name, "content-length": Buffer.byteLength(page) });
  response.end(request.method === "HEAD" ? undefined : page);
});
server.keepAliveTimeout = 0;
const listening = (on: string) => () => process.stdout.write(`${JSON.stringify({ kind: "listening", name, port, host: on })}\n`);
if (host !== undefined) server.listen(port, host, listening(host));
else {
  // "::" takes both families (IPv4 as mapped addresses); in a namespace with IPv6 disabled, IPv4 alone
  server.once("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EAFNOSUPPORT" && error.code !== "EADDRNOTAVAIL") throw error;
    server.listen(port, "0.0.0.0", listening("0.0.0.0"));
  });
  server.listen({ port, host: "::", ipv6Only: false }, listening("::"));
}
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));
