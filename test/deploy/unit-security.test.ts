// deploy/takeover.service as systemd's own analyzer rates it: `systemd-analyze security --offline=true`
// reads the unit file without a running systemd (systemd 250 and later; scripts/setup.sh installs the
// `systemd` package for it, which does not boot anything). The target is an overall exposure
// of at most 2.5; the test also checks that each hardening line the unit relies on is one the
// analyzer counts as set, and that the analyzer really reads this file (the same unit without its
// system-call filter rates worse). What stays exposed, and why, is in deploy/README-systemd.md.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const UNIT = join(__dirname, "..", "..", "..", "deploy", "takeover.service");
/** The target. */
const MOST_EXPOSURE = 2.5;

interface Verdict {
  /** e.g. "ProtectClock=", "SystemCallFilter=~@mount" */
  readonly name: string;
  /** true when the unit sets it the way the analyzer wants */
  readonly set: boolean;
  readonly description: string;
}

function analyze(unitPath: string): { overall: number; verdicts: Verdict[]; table: string } {
  const text = spawnSync("systemd-analyze", ["security", "--offline=true", "--no-pager", unitPath], { encoding: "utf8", timeout: 30_000 });
  if (text.error !== undefined) {
    const missing = (text.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(missing ? "takeover: systemd-analyze: not installed; run scripts/setup.sh (apt-get install systemd: the analyzer only, nothing is booted)" : `systemd-analyze: ${text.error.message}`);
  }
  const overall = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(text.stdout);
  assert.ok(overall !== null, `systemd-analyze security gave no overall figure (exit ${text.status}):\n${text.stdout}\n${text.stderr}`);
  const json = spawnSync("systemd-analyze", ["security", "--offline=true", "--json=short", unitPath], { encoding: "utf8", timeout: 30_000 });
  assert.equal(json.status, 0, `systemd-analyze security --json=short failed:\n${json.stderr}`);
  return { overall: Number(overall[1]), verdicts: JSON.parse(json.stdout) as Verdict[], table: text.stdout };
}

describe("deploy: systemd-analyze security rates takeover.service", function () {
  this.timeout(60_000);
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it(`at most ${MOST_EXPOSURE} overall`, () => {
    const { overall, table } = analyze(UNIT);
    assert.ok(overall <= MOST_EXPOSURE, `exposure ${overall} > ${MOST_EXPOSURE}:\n${table}`);
  });

  it("with every hardening line the unit relies on counted as set", () => {
    const { verdicts } = analyze(UNIT);
    const byName = new Map(verdicts.map((v) => [v.name, v]));
    const expected = [
      "NoNewPrivileges=", "PrivateDevices=", "PrivateMounts=", "PrivateTmp=", "ProtectSystem=", "ProtectHome=",
      "ProtectClock=", "ProtectKernelLogs=", "ProtectKernelModules=", "ProtectKernelTunables=", "ProtectControlGroups=",
      "ProtectHostname=", "ProtectProc=", "RestrictRealtime=", "RestrictSUIDSGID=", "RestrictNamespaces=~net", "RestrictNamespaces=~user",
      "LockPersonality=", "SystemCallArchitectures=", "UMask=", "RestrictAddressFamilies=~…",
      "SystemCallFilter=~@mount", "SystemCallFilter=~@module", "SystemCallFilter=~@reboot", "SystemCallFilter=~@swap",
      "SystemCallFilter=~@raw-io", "SystemCallFilter=~@debug", "SystemCallFilter=~@clock", "SystemCallFilter=~@obsolete", "SystemCallFilter=~@cpu-emulation",
      "CapabilityBoundingSet=~CAP_SYS_ADMIN", "CapabilityBoundingSet=~CAP_SYS_PTRACE", "CapabilityBoundingSet=~CAP_SYS_MODULE",
      "CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)", "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)", "CapabilityBoundingSet=~CAP_KILL",
    ];
    const notSet = expected.filter((name) => byName.get(name)?.set !== true).map((name) => `${name} (${byName.get(name)?.description ?? "not rated at all"})`);
    assert.deepEqual(notSet, [], "hardening lines the analyzer does not count as set");
    // and what stays exposed is exactly what README-systemd.md explains
    const exposed = verdicts.filter((v) => !v.set).map((v) => v.name).sort();
    assert.deepEqual(exposed, [
      "AmbientCapabilities=", "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)", "CapabilityBoundingSet=~CAP_NET_ADMIN",
      "DeviceAllow=", "IPAddressDeny=", "MemoryDenyWriteExecute=", "PrivateNetwork=", "PrivateUsers=", "ProcSubset=",
      "RestrictAddressFamilies=~AF_(INET|INET6)", "RestrictAddressFamilies=~AF_NETLINK", "RestrictAddressFamilies=~AF_PACKET", "RestrictAddressFamilies=~AF_UNIX",
      "RootDirectory=/RootImage=", "SystemCallFilter=~@privileged", "SystemCallFilter=~@resources",
    ].sort(), "the lines left exposed (each explained in deploy/README-systemd.md)");
  });

  it("reads this very file: without its system-call filter the same unit rates worse", () => {
    dir = mkdtempSync(join(tmpdir(), "takeover-unit-"));
    const weaker = join(dir, "takeover.service");
    writeFileSync(weaker, readFileSync(UNIT, "utf8").replace(/^SystemCallFilter=.*$/gm, ""));
    const before = analyze(UNIT).overall;
    const after = analyze(weaker).overall;
    assert.ok(after > before, `without SystemCallFilter= the exposure should rise above ${before}, is ${after}`);
  });
});
