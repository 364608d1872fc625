// Tests of the lab's web server (src/lab/web-server.ts): it names the box in x-served-by, answers over
// IPv6 and IPv4 both unless given a listen address (what the dual-stack lab and bench:failover's IPv6
// rows need from it), and IPv4 only when told 0.0.0.0. Loopback only, on a port the kernel picks.

import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";

const WEB_SERVER = join(__dirname, "..", "..", "src", "lab", "web-server.js");

/** A port free on loopback now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server and resolves once it says it is listening (5 s at most). */
function start(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WEB_SERVER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("web server: no listening line in 5 s")), 5000);
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      const said = JSON.parse(line) as { kind: string };
      if (said.kind === "listening") resolve(child);
      else reject(new Error(`web server said ${line}`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`web server exited (${code})`));
    });
  });
}

/** GET / at host:port: the x-served-by header, or the error code. */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: "/", agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(String(res.headers["x-served-by"]));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe("lab: web server", function () {
  this.timeout(20_000);
  let server: ChildProcess | undefined;

  afterEach(() => {
    server?.kill("SIGTERM");
    server = undefined;
  });

  it("listens on both families by default: 127.0.0.1 and [::1] answer with its name", async () => {
    const port = await freePort();
    server = await start(["brain", String(port)]);
    assert.equal(await get("127.0.0.1", port), "brain");
    assert.equal(await get("::1", port), "brain");
  });

  it('with the listen address "0.0.0.0", IPv4 only: [::1] is refused', async () => {
    const port = await freePort();
    server = await start(["brain", String(port), "0.0.0.0"]);
    assert.equal(await get("127.0.0.1", port), "brain");
    assert.equal(await get("::1", port), "ECONNREFUSED");
  });

  it('with the listen address "::" answers over IPv6 and IPv4 both', async () => {
    const port = await freePort();
    server = await start(["pinky", String(port), "::"]);
    assert.equal(await get("::1", port), "pinky");
    assert.equal(await get("127.0.0.1", port), "pinky");
  });
});
