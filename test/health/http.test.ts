// The HTTP check against servers on 127.0.0.1: a page that passes; a wrong status; a body without the
// expected text; bodies over the cap (declared, streamed, and endless, which must be cut off); the
// cap's exact edge; a server that accepts and never answers, one that stalls mid-body, and a port
// whose connect hangs (each a timeout naming its phase, within bounds); a refused port; a connection
// cut mid-body; a non-HTTP reply; what goes on the wire (path, Host, Connection: close, source
// address); an abort; and requests node refuses to send.
import assert from "node:assert/strict";
import http from "node:http";
import { CheckResult, HttpCheck, HttpCheckOptions } from "../../src/health";
import { Ipv4 } from "../../src/packets";
import { closedPort, httpServer, millisSince, rawReplyServer, silentServer, TrackedServer, unacceptingListener, UnacceptingListener } from "./servers";

const loopback = Ipv4.parse("127.0.0.1");
const PAGE = "<html><body>grüße, all is well</body></html>";
const CHUNK = Buffer.alloc(16 * 1024, "x");
/** bound on what the endless route writes, should the client not hang up */
const ENDLESS_LIMIT = 64 * 1024 * 1024;

interface SeenRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly remoteAddress: string;
}

/** Writes `total` bytes of "x" in CHUNK-sized pieces, as a chunked body. */
function writeChunked(response: http.ServerResponse, total: number): void {
  for (let left = total; left > 0; left -= CHUNK.length) response.write(CHUNK.subarray(0, Math.min(left, CHUNK.length)));
  response.end();
}

describe("HTTP check", () => {
  let web: TrackedServer;
  let silent: TrackedServer;
  let ssh: TrackedServer;
  let unaccepting: UnacceptingListener;
  const seen: SeenRequest[] = [];
  /** the endless route's outcome: "cut" when the client hung up before it was done */
  let endless: Promise<"cut" | "finished"> | undefined;

  before(async () => {
    web = await httpServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://x");
      seen.push({ url: request.url ?? "", headers: request.headers, remoteAddress: request.socket.remoteAddress ?? "" });
      const size = Number(url.searchParams.get("n") ?? 0);
      switch (url.pathname) {
        case "/page":
          response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE);
          return;
        case "/down":
          response.writeHead(503).end("maintenance </html>");
          return;
        case "/sized":
          response.writeHead(200, { "Content-Length": size }).end(Buffer.alloc(size, "x"));
          return;
        case "/streamed":
          response.writeHead(200);
          writeChunked(response, size);
          return;
        case "/endless": {
          response.writeHead(200);
          endless = new Promise((resolve) => {
            let written = 0;
            const more = (): void => {
              while (written < ENDLESS_LIMIT && !response.destroyed) {
                written += CHUNK.length;
                if (!response.write(CHUNK)) return void response.once("drain", more);
              }
              response.end();
            };
            response.on("close", () => resolve(written < ENDLESS_LIMIT ? "cut" : "finished"));
            more();
          });
          return;
        }
        case "/stall-body":
          response.writeHead(200, { "Content-Length": 1000 });
          response.write("first bytes, then nothing");
          return;
        case "/cut":
          response.writeHead(200, { "Content-Length": 1000 });
          response.write("first bytes, then a hang-up", () => request.socket.destroy());
          return;
        default:
          response.writeHead(404).end();
      }
    });
    silent = await silentServer();
    ssh = await rawReplyServer("SSH-2.0-OpenSSH_9.2p1\r\n");
    unaccepting = await unacceptingListener();
  });

  after(async () => {
    await Promise.all([web.close(), silent.close(), ssh.close(), unaccepting.close()]);
  });

  function check(options: Partial<HttpCheckOptions> = {}): HttpCheck {
    return new HttpCheck("web", { address: loopback, port: web.port, path: "/page", expectStatus: 200, maxBytes: 65536, timeoutMs: 2000, ...options });
  }

  /** ok and detail only: rttMicros varies */
  function verdict(result: CheckResult): { ok: boolean; detail: string } {
    return { ok: result.ok, detail: result.detail };
  }

  /** Runs `httpCheck` and says how long it took. */
  async function timed(httpCheck: HttpCheck): Promise<[CheckResult, number]> {
    const start = process.hrtime.bigint();
    const result = await httpCheck.run();
    return [result, millisSince(start)];
  }

  it("passes on the expected status with the expected text in the body, timing the whole exchange", async () => {
    const start = process.hrtime.bigint();
    const result = await check({ bodyContains: "</html>" }).run();
    const tookMicros = millisSince(start) * 1000;
    assert.equal(result.ok, true, result.detail);
    assert.match(result.detail, new RegExp(`^status 200, ${Buffer.byteLength(PAGE)} bytes in [0-9.]+ms$`));
    assert.ok(result.rttMicros > 0 && result.rttMicros <= tookMicros, `rtt ${result.rttMicros}µs, run took ${tookMicros}µs`);
  });

  it("matches non-ASCII text in a UTF-8 body", async () => {
    assert.equal((await check({ bodyContains: "grüße" }).run()).ok, true);
    assert.deepEqual(verdict(await check({ bodyContains: "grüsse" }).run()), { ok: false, detail: 'body lacks "grüsse"' });
  });

  it("fails on another status, whatever the body", async () => {
    const result = await check({ path: "/down", bodyContains: "</html>" }).run();
    assert.deepEqual(verdict(result), { ok: false, detail: "status 503, expected 200" });
    assert.deepEqual(verdict(await check({ path: "/page", expectStatus: 204 }).run()), { ok: false, detail: "status 200, expected 204" });
  });

  it("fails when the body lacks the expected text", async () => {
    const result = await check({ bodyContains: "</body></html>\n" }).run();
    assert.deepEqual(verdict(result), { ok: false, detail: 'body lacks "</body></html>\\n"' });
  });

  it("accepts a body of exactly maxBytes and fails one byte more, declared or streamed", async () => {
    for (const route of ["/sized", "/streamed"]) {
      const atTheCap = await check({ path: `${route}?n=40000`, maxBytes: 40000 }).run();
      assert.equal(atTheCap.ok, true, `${route}: ${atTheCap.detail}`);
      assert.match(atTheCap.detail, /^status 200, 40000 bytes in /, route);
      assert.deepEqual(verdict(await check({ path: `${route}?n=40001`, maxBytes: 40000 }).run()), { ok: false, detail: "response over 40000 bytes" }, route);
    }
    assert.equal((await check({ path: "/sized?n=0", maxBytes: 0 }).run()).ok, true);
  });

  it("stops reading an endless body once over maxBytes and hangs up", async () => {
    const [result, took] = await timed(check({ path: "/endless", maxBytes: 65536 }));
    assert.deepEqual(verdict(result), { ok: false, detail: "response over 65536 bytes" });
    assert.ok(took < 1000, `took ${took}ms`);
    const outcome = await Promise.race([endless, new Promise((resolve) => setTimeout(() => resolve("server still writing after 1s"), 1000).unref())]);
    assert.equal(outcome, "cut");
  });

  it("times out within bounds on a server that accepts and never answers", async () => {
    const [result, took] = await timed(check({ port: silent.port, timeoutMs: 150 }));
    assert.deepEqual(verdict(result), { ok: false, detail: "timeout after 150ms (awaiting response)" });
    assert.ok(took >= 145 && took < 600, `took ${took}ms`);
    assert.ok(result.rttMicros >= 145_000 && result.rttMicros < 600_000, `rttMicros ${result.rttMicros}`);
  });

  it("counts the body in the timeout: a server that stalls mid-body times out", async () => {
    const [result, took] = await timed(check({ path: "/stall-body", timeoutMs: 200 }));
    assert.deepEqual(verdict(result), { ok: false, detail: "timeout after 200ms (reading body)" });
    assert.ok(took >= 195 && took < 700, `took ${took}ms`);
  });

  it("counts the connect in the timeout: a connect that hangs times out", async () => {
    const [result, took] = await timed(check({ port: unaccepting.port, timeoutMs: 150 }));
    assert.deepEqual(verdict(result), { ok: false, detail: "timeout after 150ms (connecting)" });
    assert.ok(took >= 145 && took < 600, `took ${took}ms`);
  });

  it("fails with 'connection refused' on a port nobody listens on", async () => {
    assert.deepEqual(verdict(await check({ port: await closedPort() }).run()), { ok: false, detail: "connection refused" });
  });

  it("fails when the connection is cut before the body is complete", async () => {
    assert.deepEqual(verdict(await check({ path: "/cut" }).run()), { ok: false, detail: "connection closed before the response ended" });
  });

  it("fails on a reply that is not HTTP", async () => {
    const result = await check({ port: ssh.port }).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, /^invalid HTTP response \(HPE_[A-Z_]+\)$/);
  });

  it("sends a GET for the path with the Host asked for, Connection: close, from localAddress", async () => {
    seen.length = 0;
    await check({ path: "/page?probe=1", host: "www.example.org", localAddress: Ipv4.parse("127.0.0.3") }).run();
    await check({ path: "/page" }).run();
    assert.equal(seen.length, 2);
    assert.equal(seen[0].url, "/page?probe=1");
    assert.equal(seen[0].headers.host, "www.example.org");
    assert.equal(seen[0].headers.connection, "close");
    assert.equal(seen[0].remoteAddress, "127.0.0.3");
    assert.equal(seen[1].headers.host, `127.0.0.1:${web.port}`);
    assert.equal(seen[1].remoteAddress, "127.0.0.1");
  });

  it("names a source address that is not ours", async () => {
    assert.deepEqual(verdict(await check({ localAddress: Ipv4.parse("192.0.2.99") }).run()), { ok: false, detail: "source address 192.0.2.99 not available" });
  });

  it("ends at once when aborted, before or during the request", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const start = process.hrtime.bigint();
    const result = await check({ port: silent.port, timeoutMs: 5000 }).run(controller.signal);
    const took = millisSince(start);
    assert.deepEqual(verdict(result), { ok: false, detail: "aborted" });
    assert.ok(took < 1000, `took ${took}ms`);
    assert.deepEqual(await check().run(AbortSignal.abort()), { ok: false, rttMicros: 0, detail: "aborted" });
  });

  it("reports, not throws, a request node refuses to send", async () => {
    const result = await check({ host: "bad\r\nX-Injected: 1" }).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, /^request not sent: /);
    const spaced = await check({ path: "/a page" }).run();
    assert.equal(spaced.ok, false);
    assert.match(spaced.detail, /^request not sent: /);
  });

  it("refuses a bad configuration when built", () => {
    assert.throws(() => check({ path: "page" }), /path must start with "\/"/);
    assert.throws(() => check({ maxBytes: -1 }), /maxBytes/);
    assert.throws(() => check({ expectStatus: 20 }), /expectStatus/);
  });
});
