// A real systemd, booted as PID 1 of its own PID, mount and cgroup namespaces inside a lab host's
// network namespace, on a Debian root of its own — never on this machine's root (its boot-time
// tmpfiles would empty the host's /tmp). Used by the systemd proof (systemd-proof.ts).
//
// The root is a cached debootstrap (scripts/systemd-proof-root.sh) seen through an overlay, so a run
// writes only into its own directory, RUN = <cache>/run-<pid>-<hex>: RUN/upper gets the unit, the
// config, the package (`npm pack` of this checkout installed with `npm install -g --prefix`, cached by
// the tarball's hash)
// and a few masked units; the host's node is bind-mounted read-only. scripts/systemd-proof-launch.sh
// puts the container in a cgroup of its own (tk-<pid>-…) in every hierarchy and starts
// scripts/systemd-proof-boot.sh under unshare, which mounts the root and execs systemd.
//
// `destroySync` kills systemd (its whole PID namespace goes with it), then removes the cgroups and RUN;
// it runs on every exit path (after hooks, process exit, SIGINT/SIGTERM) and may run more than once.
import { ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandOptions, CommandResult, runSync } from "../../src/lab/command";

export const REPO = join(__dirname, "..", "..", "..");
const SCRIPTS = join(REPO, "scripts");
export const PROOF_CACHE = process.env.TAKEOVER_PROOF_CACHE ?? "/var/cache/takeover-proof";

/**
 * Units that would reach past the container: sysctl and binfmt (the kernel's, shared with the host),
 * modules, a getty on a console, first-boot prompts, and kernel file systems (debugfs, tracefs...).
 * /proc/sys and /sys are read-only inside anyway; masking keeps the boot quiet and short.
 */
const MASKED_UNITS = [
  "getty.target", "console-getty.service", "systemd-sysctl.service", "systemd-modules-load.service", "systemd-firstboot.service",
  "systemd-binfmt.service", "sys-kernel-debug.mount", "sys-kernel-tracing.mount", "sys-kernel-config.mount", "sys-fs-fuse-connections.mount",
  "apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer", "e2scrub_all.timer", "e2scrub_reap.service",
];

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Builds (or finds) the cached Debian root; returns its path and how long the build took (0 when cached). */
export function ensureRoot(): { root: string; buildSeconds: number } {
  const started = Date.now();
  const out = runSync(["bash", join(SCRIPTS, "systemd-proof-root.sh")], { timeoutMs: 20 * 60_000 });
  if (out.status !== 0) throw new Error(`scripts/systemd-proof-root.sh failed (exit ${out.status}):\n${out.stderr}`);
  const root = out.stdout.trim().split("\n").pop() ?? "";
  if (!existsSync(join(root, ".takeover-proof-root"))) throw new Error(`scripts/systemd-proof-root.sh printed "${root}", which holds no .takeover-proof-root`);
  return { root, buildSeconds: /built in/.test(out.stderr) ? (Date.now() - started) / 1000 : 0 };
}

/** "mountpoint type superoptions" of every cgroup file system mounted here. */
function cgroupMounts(): { mountpoint: string; type: string; options: string[] }[] {
  const mounts = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    if (dash < 0) continue;
    const type = fields[dash + 1];
    if (type === "cgroup" || type === "cgroup2") mounts.push({ mountpoint: fields[4], type, options: (fields[dash + 3] ?? "").split(",") });
  }
  return mounts;
}

/** Where systemd-proof-launch.sh makes `name` (it runs as our child, in our cgroups): one directory per hierarchy. */
function cgroupDirsFor(name: string): string[] {
  const mounts = cgroupMounts();
  const dirs: string[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
    const [id, controllers, path] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1, line.lastIndexOf(":")), line.slice(line.lastIndexOf(":") + 1)];
    const mount = id === "0"
      ? mounts.find((m) => m.type === "cgroup2")
      : mounts.find((m) => m.type === "cgroup" && controllers.split(",").every((c) => m.options.includes(c)));
    if (mount !== undefined) dirs.push(`${mount.mountpoint}${path.replace(/\/$/, "")}/${name}`);
  }
  return dirs;
}

/** Removes a cgroup directory and the ones below it (deepest first); true when it is gone. */
function removeCgroupTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

export interface ContainerOptions {
  /** The cached Debian root (ensureRoot). */
  readonly base: string;
  /** The network namespace systemd lives in (a lab host's). */
  readonly netns: string;
  /** tk-<pid>-<hex>: the lab's prefix, so the cgroup is recognisably this run's. */
  readonly prefix: string;
  /** Files to put into the root: path inside → content and mode. */
  readonly files: Readonly<Record<string, { readonly text: string; readonly mode: number }>>;
  /** Files copied from the host: path inside → host path. */
  readonly copies?: Readonly<Record<string, string>>;
  /** A tarball to `npm install -g --prefix /usr/local` inside the root (built with the host's toolchain). */
  readonly packageTarball?: string;
}

export class SystemdContainer {
  private launcher: ChildProcess | undefined;
  private launcherOutput = "";
  /** systemd's pid as this machine sees it. */
  systemdPid: number | undefined;
  private destroyed = false;

  private constructor(
    readonly run: string,
    readonly cgroup: string,
    private readonly options: ContainerOptions,
  ) {}

  /** Lays out RUN (without booting); on failure RUN is removed again. */
  static prepare(options: ContainerOptions): SystemdContainer {
    if (!/^\/./.test(PROOF_CACHE) || PROOF_CACHE === "/tmp" || PROOF_CACHE.startsWith("/tmp/")) throw new Error(`TAKEOVER_PROOF_CACHE=${PROOF_CACHE}: give a directory of its own, not / or /tmp`);
    const hex = randomBytes(3).toString("hex");
    const container = new SystemdContainer(join(PROOF_CACHE, `run-${process.pid}-${hex}`), `${options.prefix}systemd`, options);
    live.add(container);
    installExitHook();
    try {
      container.layOut();
    } catch (error) {
      container.destroySync();
      throw error;
    }
    return container;
  }

  private layOut(): void {
    const upper = join(this.run, "upper");
    for (const dir of ["upper", "work", "root"]) mkdirSync(join(this.run, dir), { recursive: true });
    const inside = (path: string): string => join(upper, path);
    mkdirSync(inside("etc/systemd/system"), { recursive: true });
    for (const unit of MASKED_UNITS) symlinkSync("/dev/null", inside(`etc/systemd/system/${unit}`));
    mkdirSync(inside("usr/local/bin"), { recursive: true });
    writeFileSync(inside("usr/local/bin/node"), ""); // the host's node is bind-mounted onto it
    chmodSync(inside("usr/local/bin/node"), 0o755);
    for (const [path, { text, mode }] of Object.entries(this.options.files)) {
      mkdirSync(join(inside(path), ".."), { recursive: true });
      writeFileSync(inside(path), text);
      chmodSync(inside(path), mode);
    }
    for (const [path, from] of Object.entries(this.options.copies ?? {})) {
      mkdirSync(join(inside(path), ".."), { recursive: true });
      copyFileSync(from, inside(path));
      chmodSync(inside(path), 0o644);
    }
    if (this.options.packageTarball !== undefined) {
      const installed = installedPackage(this.options.packageTarball);
      const out = runSync(["cp", "-a", `${installed}/usr/local/.`, inside("usr/local")], { timeoutMs: 120_000 });
      if (out.status !== 0) throw new Error(`copying the installed package into the root failed: ${out.stderr}`);
    }
  }

  /** Boots systemd and waits until `systemctl is-system-running` answers; returns its answer. */
  async boot(timeoutMs = 60_000): Promise<string> {
    this.launcher = spawn("bash", [join(SCRIPTS, "systemd-proof-launch.sh"), this.cgroup, this.options.netns, this.options.base, this.run, process.execPath], { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [this.launcher.stdout, this.launcher.stderr]) stream?.on("data", (chunk: Buffer) => (this.launcherOutput += chunk.toString()));
    const deadline = Date.now() + timeoutMs;
    // systemd is the launcher's child: ip netns exec and unshare exec, unshare --fork forks it
    while (this.systemdPid === undefined) {
      if (this.launcher.exitCode !== null || this.launcher.signalCode !== null) throw new Error(`the container did not boot (launcher exit ${this.launcher.exitCode ?? this.launcher.signalCode}):\n${this.launcherOutput}`);
      if (Date.now() > deadline) throw new Error(`systemd did not start within ${timeoutMs} ms:\n${this.launcherOutput}`);
      const children = this.launcher.pid === undefined ? "" : runSync(["pgrep", "-P", String(this.launcher.pid)]).stdout.trim();
      const pid = Number(children.split("\n")[0]);
      if (pid > 0 && cmdlineOf(pid).startsWith("/lib/systemd/systemd\0")) this.systemdPid = pid;
      else await new Promise((r) => setTimeout(r, 100));
    }
    // until systemd has opened its private socket, systemctl cannot reach it ("Failed to connect to bus")
    for (;;) {
      const left = deadline - Date.now();
      const state = this.exec(["systemctl", "is-system-running", "--wait"], { timeoutMs: Math.max(1000, left) });
      const answer = state.stdout.trim();
      if (answer !== "" || left <= 0) return answer || `(no answer: ${state.stderr.trim()})`;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Output of the launcher and boot script (errors before systemd took over). */
  get bootOutput(): string {
    return this.launcherOutput;
  }

  /** Runs argv inside: systemd's PID, mount and network namespaces, root and cwd, with a clean environment. */
  exec(argv: readonly string[], options: CommandOptions = {}): CommandResult {
    if (this.systemdPid === undefined || this.destroyed) throw new Error("the container is not running");
    return runSync(["nsenter", "-t", String(this.systemdPid), "-p", "-m", "-n", "-r", "-w", "/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER=", ...argv], options);
  }

  /** Kills systemd (and so its PID namespace), removes the cgroups and RUN. Safe to call again. */
  destroySync(): string[] {
    const problems: string[] = [];
    if (this.destroyed) return problems;
    this.destroyed = true;
    for (const pid of [this.systemdPid, this.launcher?.pid]) if (pid !== undefined && alive(pid)) process.kill(pid, "SIGKILL");
    for (let i = 0; i < 100 && [this.systemdPid, this.launcher?.pid].some((p) => p !== undefined && alive(p) && !isZombie(p)); i++) sleepSync(50);
    // the namespace's processes leave their cgroups as the kernel reaps them: retry for a while
    const dirs = cgroupDirsFor(this.cgroup);
    for (let i = 0; i < 100 && !dirs.every(removeCgroupTree); i++) sleepSync(50);
    for (const dir of dirs) if (existsSync(dir)) problems.push(`cgroup ${dir} could not be removed`);
    // only ever RUN, a directory this run made under the cache
    if (this.run.startsWith(`${PROOF_CACHE}/run-`)) rmSync(this.run, { recursive: true, force: true });
    live.delete(this);
    return problems;
  }
}

/**
 * `npm install -g --prefix <dir>/usr/local --allow-scripts=cap,netlink,pcap TARBALL`, as
 * README-systemd.md installs it (the native bindings built with this machine's toolchain against
 * Debian bookworm's libpcap, the same as the root's), kept in the cache by the tarball's hash: the
 * same code is installed once. Older installs are removed. Returns <dir>.
 */
function installedPackage(tarball: string): string {
  const hash = createHash("sha256").update(readFileSync(tarball)).digest("hex").slice(0, 16);
  const dir = join(PROOF_CACHE, `pkg-${hash}`);
  if (existsSync(join(dir, ".complete"))) return dir;
  for (const old of readdirSync(PROOF_CACHE)) if (/^pkg-[0-9a-f]{16}(\.partial-\d+)?$/.test(old)) rmSync(join(PROOF_CACHE, old), { recursive: true, force: true });
  const partial = `${dir}.partial-${process.pid}`;
  const out = runSync(["npm", "install", "-g", "--prefix", join(partial, "usr/local"), "--allow-scripts=cap,netlink,pcap", "--no-audit", "--no-fund", tarball], { timeoutMs: 5 * 60_000 });
  if (out.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install -g of ${tarball} failed (exit ${out.status}):\n${out.stderr}`);
  }
  writeFileSync(join(partial, ".complete"), "");
  renameSync(partial, dir);
  return dir;
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

const live = new Set<SystemdContainer>();
let hookInstalled = false;

/** On exit and on SIGINT/SIGTERM/SIGHUP (mocha's timeout wrapper), every container is destroyed. */
function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on("exit", () => {
    for (const c of [...live]) c.destroySync();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const c of [...live]) c.destroySync();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1)); // 'exit' then deletes the lab's namespaces
    });
  }
}
