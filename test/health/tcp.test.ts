// The TCP connect check against listeners on 127.0.0.1: a connection that comes up (and is closed at
// once), a refused port, a listener whose full accept queue makes the connect hang (timeout), an
// unavailable source address, an abort, and bad configuration.
import assert from "node:assert/strict";
import net from "node:net";
import { TcpCheck } from "../../src/health";
import { Ipv4 } from "../../src/packets";
import { closedPort, millisSince, TrackedServer, unacceptingListener, UnacceptingListener } from "./servers";

const loopback = Ipv4.parse("127.0.0.1");

describe("TCP connect check", () => {
  /** for the next accepted connection: how many ms after the accept the client closed it */
  let nextClose: ((closedAfterMs: number) => void) | undefined;
  const acceptedFrom: string[] = [];
  let listener: TrackedServer;
  let unaccepting: UnacceptingListener;

  before(async () => {
    listener = await new TrackedServer(
      net.createServer((socket) => {
        const accepted = process.hrtime.bigint();
        acceptedFrom.push(socket.remoteAddress ?? "");
        const report = nextClose;
        nextClose = undefined;
        socket.on("close", () => report?.(millisSince(accepted)));
        socket.on("error", () => {});
        socket.resume();
      }),
    ).start();
    unaccepting = await unacceptingListener();
  });

  after(async () => {
    await listener.close();
    await unaccepting.close();
  });

  it("passes when the port accepts, with the handshake time, and closes the connection at once", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: listener.port, timeoutMs: 1000 });
    const closed = new Promise<number>((resolve) => (nextClose = resolve));
    const result = await check.run();
    assert.equal(result.ok, true, result.detail);
    assert.ok(result.rttMicros > 0 && result.rttMicros < 1_000_000, `rtt ${result.rttMicros}`);
    assert.match(result.detail, /^connected in [0-9.]+ms$/);
    const stillOpen = new Promise<string>((resolve) => setTimeout(() => resolve("still open after 500ms"), 500).unref());
    const closedAfter = await Promise.race([closed, stillOpen]);
    assert.equal(typeof closedAfter, "number", `the server's side of the connection: ${closedAfter}`);
  });

  it("binds localAddress as the source", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: listener.port, timeoutMs: 1000, localAddress: Ipv4.parse("127.0.0.2") });
    const result = await check.run();
    assert.equal(result.ok, true, result.detail);
    assert.equal(acceptedFrom.at(-1), "127.0.0.2");
  });

  it("fails with 'connection refused' on a port nobody listens on", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: await closedPort(), timeoutMs: 1000 });
    const result = await check.run();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "connection refused" });
  });

  it("times out within bounds when the connect never completes", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: unaccepting.port, timeoutMs: 150 });
    const start = process.hrtime.bigint();
    const result = await check.run();
    const took = millisSince(start);
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "timeout after 150ms" });
    assert.ok(took >= 145 && took < 600, `took ${took}ms`);
    assert.ok(result.rttMicros >= 145_000 && result.rttMicros < 600_000, `rttMicros ${result.rttMicros}`);
  });

  it("names a source address that is not ours", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: listener.port, timeoutMs: 1000, localAddress: Ipv4.parse("192.0.2.99") });
    const result = await check.run();
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "source address 192.0.2.99 not available" });
  });

  it("ends at once when aborted, before or during the attempt", async () => {
    const check = new TcpCheck("tcp", { address: loopback, port: unaccepting.port, timeoutMs: 5000 });
    const controller = new AbortController();
    const start = process.hrtime.bigint();
    setTimeout(() => controller.abort(), 20);
    const result = await check.run(controller.signal);
    assert.deepEqual({ ok: result.ok, detail: result.detail }, { ok: false, detail: "aborted" });
    assert.ok(millisSince(start) < 1000);
    const already = await check.run(AbortSignal.abort());
    assert.deepEqual(already, { ok: false, rttMicros: 0, detail: "aborted" });
  });

  it("refuses a bad port or timeout when built", () => {
    assert.throws(() => new TcpCheck("t", { address: loopback, port: 0, timeoutMs: 100 }), /port must be a whole number from 1 to 65535/);
    assert.throws(() => new TcpCheck("t", { address: loopback, port: 80, timeoutMs: 0 }), /timeoutMs/);
  });
});
