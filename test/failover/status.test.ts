// The status listener (src/failover/status-server.ts) and `takeover status` (src/cli/status.ts), fed
// by a fake daemon: /status must be the JSON of status(), /metrics the Prometheus text, other paths
// 404 and other methods 405, on 127.0.0.1 at a port the kernel chose; the built CLI, run as a child
// process, must print holdings, checks and transitions, --json the JSON, find the listener from a
// config file, and say in one line (exit status 1) when no daemon answers. attachObservers must
// bring up the listener from the config and take it down on close.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseConfig } from "../../src/failover/config";
import { daemonMetrics } from "../../src/failover/metrics";
import { attachObservers } from "../../src/failover/observers";
import { StatusServer } from "../../src/failover/status-server";
import { FakeDaemon, T0 } from "./observer-fakes";

const CLI = resolve(__dirname, "../../src/cli/main.js");
const CONFIG = "interface: eth0\nnode: {name: brain, address: 192.0.2.17, publicAddress: 192.0.2.37}\npeer: {name: pinky, address: 192.0.2.18, publicAddress: 192.0.2.36}\n";

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI as a child process; asynchronous, so the listener in this process can answer it. */
function takeover(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: "UTC", NO_COLOR: "1" }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      done({ status: code, stdout, stderr });
    });
  });
}

/** A port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("status listener", () => {
  let daemon: FakeDaemon;
  let server: StatusServer;
  let closeMetrics: () => void;

  beforeEach(async () => {
    daemon = new FakeDaemon();
    daemon.current = {
      ...daemon.current,
      peerUp: false,
      addresses: [
        { address: "192.0.2.37", home: true, state: "holding" },
        { address: "192.0.2.36", home: false, state: "holding" },
      ],
      transitions: [
        { timeMicros: T0 + 500_000, event: "peer-down", detail: "peer is down" },
        { timeMicros: T0 + 612_345, event: "claim", address: "192.0.2.36", detail: "nobody answered the probe" },
      ],
    };
    const metrics = daemonMetrics(daemon);
    closeMetrics = metrics.close;
    server = await StatusServer.listen({ host: "127.0.0.1", port: 0 }, daemon, metrics);
  });

  afterEach(async () => {
    await server.close();
    closeMetrics();
  });

  it("listens on 127.0.0.1 at the port the kernel chose", () => {
    assert.equal(server.address.host, "127.0.0.1");
    assert.ok(server.address.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.address.port}`);
  });

  it("answers GET /status with the JSON of status()", async () => {
    const response = await fetch(`${server.url}/status`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await response.json(), JSON.parse(JSON.stringify(daemon.current)));
  });

  it("answers GET /metrics with the Prometheus text", async () => {
    daemon.log("claim", "192.0.2.36", "nobody answered the probe");
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^takeover_transitions_total\{event="claim"\} 1$/m);
    assert.match(text, /^takeover_address_state\{address="192\.0\.2\.36",state="holding"\} 1$/m);
  });

  it("answers 404 to other paths and 405 to other methods", async () => {
    assert.equal((await fetch(`${server.url}/`)).status, 404);
    assert.equal((await fetch(`${server.url}/status`, { method: "POST", body: "x" })).status, 405);
  });

  it("says why it cannot listen, in one line", async () => {
    await assert.rejects(StatusServer.listen(server.address, daemon, daemonMetrics(daemon)), (error: Error) => {
      assert.equal(error.message, `status listener: cannot listen on 127.0.0.1:${server.address.port}: the address is in use (another takeover running?)`);
      return true;
    });
  });

  describe("takeover status", () => {
    it("prints what the daemon holds, each check's last result and RTT, and the last transitions", async () => {
      const run = await takeover("status", "--url", server.url);
      assert.equal(run.stderr, "");
      assert.equal(run.status, 0);
      const lines = run.stdout.split("\n");
      assert.equal(lines[0], "brain (192.0.2.17) on eth0: link up, self up; peer pinky (192.0.2.18 at 02:00:00:00:00:18) down");
      assert.equal(lines[1], "holds: 192.0.2.37, 192.0.2.36");
      assert.match(run.stdout, /^ {2}192\.0\.2\.36 +pinky's +holding$/m);
      assert.match(run.stdout, /^failback: immediate$/m);
      assert.match(run.stdout, /^ {2}peer-ping +icmp +ok +412µs +at 2026-11-26T07:00:01\.000000Z +reply from 192\.0\.2\.18$/m);
      assert.match(run.stdout, /^ {2}peer-web +http +never run$/m);
      assert.match(run.stdout, /^last transitions \(2, oldest first\):$/m);
      assert.match(run.stdout, /^ {2}2026-11-26T07:00:00\.612345Z claim 192\.0\.2\.36: nobody answered the probe$/m);
      assert.match(run.stdout, /^ {2}2026-11-26T07:00:00\.500000Z peer-down: peer is down$/m);
    });

    it("prints the JSON with --json", async () => {
      const run = await takeover("status", "--json", "--url", server.url);
      assert.equal(run.status, 0);
      assert.deepEqual(JSON.parse(run.stdout), JSON.parse(JSON.stringify(daemon.current)));
    });

    it("finds the listener from the config file's status.listen", async () => {
      const dir = await mkdtemp(join(tmpdir(), "takeover-status-"));
      try {
        const file = join(dir, "brain.yaml");
        await writeFile(file, `${CONFIG}status:\n  listen: 127.0.0.1:${server.address.port}\n`);
        const run = await takeover("status", "--json", file);
        assert.equal(run.stderr, "");
        assert.equal(JSON.parse(run.stdout).node.name, "brain");
        await writeFile(file, `${CONFIG}status:\n  listen: off\n`);
        const off = await takeover("status", file);
        assert.equal(off.status, 2);
        assert.equal(off.stderr, `takeover: ${file}: status.listen is off, so the daemon has no status listener to ask; set status.listen (like 127.0.0.1:9337) and restart it\n`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("takeover status with no daemon", () => {
  it("says so in one line and exits 1", async () => {
    const port = await freePort();
    const run = await takeover("status", "--url", `http://127.0.0.1:${port}`);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, `takeover: no takeover daemon answers at http://127.0.0.1:${port}/status; is it running (systemctl status takeover), with status.listen set?\n`);
  });
});

describe("attachObservers", () => {
  it("brings the status listener up from the config, logs where, and takes it down on close", async () => {
    const daemon = new FakeDaemon();
    const lines: string[] = [];
    const observers = attachObservers(daemon, parseConfig(`${CONFIG}status: {listen: 127.0.0.1:0}\n`, "brain.yaml"), { line: (event, address, detail) => lines.push(`${event} ${address ?? "-"}: ${detail}`) });
    const url = await observers.listening;
    assert.ok(url !== undefined);
    assert.deepEqual(lines, [`status -: listening on ${url} (GET /status, GET /metrics; at most 64 connections)`]);
    daemon.log("claim", "192.0.2.36", "nobody answered the probe");
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^takeover_transitions_total\{event="claim"\} 1$/m);
    assert.equal(((await (await fetch(`${url}/status`)).json()) as { node: { name: string } }).node.name, "brain");
    await observers.close();
    await assert.rejects(fetch(`${url}/status`));
    assert.equal(daemon.events.listenerCount("event"), 0);
  });

  it("starts no listener with listen: off", async () => {
    const observers = attachObservers(new FakeDaemon(), parseConfig(`${CONFIG}status: {listen: off}\n`, "brain.yaml"), { line: () => undefined });
    assert.equal(await observers.listening, undefined);
    await observers.close();
  });
});
