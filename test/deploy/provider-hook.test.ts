// examples/hooks/provider-api.sh, the shipped hook that moves a provider's floating IP by an HTTP API
// call, run as takeover runs it (`provider-api.sh EVENT ADDRESS INTERFACE`) against a fake provider
// API on loopback: it sends the bearer token read from its file, assigns only when the address is not
// already routed here (idempotent), ignores events other than `claimed`, refuses a token file others
// can read, names what is missing, and gives up on an API that does not answer within its timeout.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HOOK = join(__dirname, "..", "..", "..", "examples", "hooks", "provider-api.sh");
const TOKEN = "s3cret-token";

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A fake provider API: floating IP 77 is routed to server `routedTo`; assign moves it. */
class FakeProvider {
  readonly seen: Seen[] = [];
  routedTo: number | null = 5;
  hang = false;
  readonly server: Server;
  constructor() {
    this.server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        this.seen.push({ method: request.method ?? "", url: request.url ?? "", authorization: request.headers.authorization, body });
        if (this.hang) return; // never answers
        if (request.headers.authorization !== `Bearer ${TOKEN}`) {
          response.writeHead(401).end(JSON.stringify({ error: { code: "unauthorized" } }));
        } else if (request.method === "GET" && request.url === "/v1/floating_ips/77") {
          response.writeHead(200).end(JSON.stringify({ floating_ip: { id: 77, ip: "192.0.2.37", server: this.routedTo } }));
        } else if (request.method === "POST" && request.url === "/v1/floating_ips/77/actions/assign") {
          this.routedTo = (JSON.parse(body) as { server: number }).server;
          response.writeHead(201).end(JSON.stringify({ action: { command: "assign_floating_ip", status: "running" } }));
        } else response.writeHead(404).end("{}");
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs the hook (at most 20 s) and returns its exit status and output. */
function runHook(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(HOOK, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const limit = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(limit);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe("examples/hooks/provider-api.sh", function () {
  this.timeout(30_000);
  let dir: string;
  let provider: FakeProvider;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "takeover-provider-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    provider = new FakeProvider();
    env = { PROVIDER_API: await provider.listen(), PROVIDER_TOKEN_FILE: tokenFile, PROVIDER_SERVER_ID: "42", PROVIDER_IP_IDS: "192.0.2.36=76 192.0.2.37=77", PROVIDER_TIMEOUT: "2" };
  });
  afterEach(async () => {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("claimed: assigns the address to this server with the bearer token, then a second claim only looks", async () => {
    const first = await runHook(["claimed", "192.0.2.37", "eth0"], env);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(provider.seen.map((s) => `${s.method} ${s.url}`), ["GET /v1/floating_ips/77", "POST /v1/floating_ips/77/actions/assign"]);
    assert.ok(provider.seen.every((s) => s.authorization === `Bearer ${TOKEN}`), "every request carries the token");
    assert.deepEqual(JSON.parse(provider.seen[1].body), { server: 42 });
    assert.equal(provider.routedTo, 42);
    assert.match(first.stdout, /192\.0\.2\.37 assigned to server 42/);

    const again = await runHook(["claimed", "192.0.2.37", "eth0"], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(provider.seen.length, 3, "the second run only GETs");
    assert.match(again.stdout, /already routed to server 42/);
  });

  it("a server id that only starts like ours (420) is not ours", async () => {
    provider.routedTo = 420;
    const run = await runHook(["claimed", "192.0.2.37", "eth0"], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(provider.routedTo, 42);
  });

  it("released, conflict, peer-down: no call", async () => {
    for (const event of ["released", "conflict", "peer-down", "peer-up"]) {
      const run = await runHook([event, "192.0.2.37", "eth0"], env);
      assert.equal(run.status, 0, `${event}: ${run.stderr}`);
    }
    assert.deepEqual(provider.seen, []);
  });

  it("refuses a token file group or others can read, and sends nothing", async () => {
    chmodSync(env.PROVIDER_TOKEN_FILE, 0o640);
    const run = await runHook(["claimed", "192.0.2.37", "eth0"], env);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /mode 640: others may read the token; chmod 600/);
    assert.deepEqual(provider.seen, []);
  });

  it("under systemd, reads the token from $CREDENTIALS_DIRECTORY/provider-token (LoadCredential=)", async () => {
    const credentials = join(dir, "credentials");
    mkdirSync(credentials);
    writeFileSync(join(credentials, "provider-token"), `${TOKEN}\n`, { mode: 0o440 });
    const { PROVIDER_TOKEN_FILE: _unused, ...rest } = env;
    const run = await runHook(["claimed", "192.0.2.37", "eth0"], { ...rest, CREDENTIALS_DIRECTORY: credentials });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(provider.seen.length === 2 && provider.seen.every((s) => s.authorization === `Bearer ${TOKEN}`));
  });

  it("names what is missing: the server id, the address's id, the token file", async () => {
    const noServer = await runHook(["claimed", "192.0.2.37", "eth0"], { ...env, PROVIDER_SERVER_ID: "" });
    assert.equal(noServer.status, 1);
    assert.match(noServer.stderr, /PROVIDER_SERVER_ID is not set/);
    const noId = await runHook(["claimed", "198.51.100.9", "eth0"], env);
    assert.equal(noId.status, 1);
    assert.match(noId.stderr, /198\.51\.100\.9 has no id in PROVIDER_IP_IDS/);
    const noToken = await runHook(["claimed", "192.0.2.37", "eth0"], { ...env, PROVIDER_TOKEN_FILE: join(dir, "absent") });
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /absent: no such file/);
    assert.deepEqual(provider.seen, []);
  });

  it("an API that refuses the token: exit 1 with the API's answer", async () => {
    writeFileSync(env.PROVIDER_TOKEN_FILE, "wrong\n");
    const run = await runHook(["claimed", "192.0.2.37", "eth0"], env);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /GET .*floating_ips\/77 failed: .*unauthorized/);
  });

  it("an API that never answers: gives up after PROVIDER_TIMEOUT, exit 1", async () => {
    provider.hang = true;
    const run = await runHook(["claimed", "192.0.2.37", "eth0"], { ...env, PROVIDER_TIMEOUT: "1" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /failed/);
    assert.equal(provider.seen.length, 1);
  });
});
