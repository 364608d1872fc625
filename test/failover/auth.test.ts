// Pair authentication (src/failover/auth.ts): what a stranger on the segment can and cannot get
// accepted — forged, altered, replayed, re-purposed and stale trailers — and the key file's checks.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { COUNTER_EPOCH_MS, frameSource, PairKeys, Purpose, Signer, signArpFrame, TRAILER_BYTES, Verifier, verifyArpFrame } from "../../src/failover/auth";

const T0 = Date.UTC(2026, 5, 1);
const SECRET = Buffer.from("correct horse battery staple, twice over");
const OTHER = Buffer.from("another secret of at least sixteen bytes");

class Clock {
  constructor(public ms = T0) {}
  readonly now = () => this.ms;
}

/** an untagged gratuitous ARP request from `mac` (6 bytes) for 192.0.2.10 */
function arpFrame(mac = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x18]): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set(mac, 6);
  f.set([0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 12);
  f.set(mac, 22);
  f.set([192, 0, 2, 10], 28);
  f.set([192, 0, 2, 10], 38);
  return f;
}

function counterOf(trailer: Uint8Array): number {
  return COUNTER_EPOCH_MS + Buffer.from(trailer).readUIntBE(3, 5);
}

function pair(keys = PairKeys.fromSecret(SECRET), clock = new Clock()) {
  return { clock, signer: new Signer(keys, clock.now), verifier: new Verifier(keys, clock.now) };
}

/** a secret whose key id (first byte of its SHA-256) is that of `secret`, found by counting */
function sameIdSecret(secret: Uint8Array): Buffer {
  const id = createHash("sha256").update(secret).digest()[0];
  for (let i = 0; ; i++) {
    const candidate = Buffer.from(`colliding secret number ${i}`);
    if (createHash("sha256").update(candidate).digest()[0] === id && !candidate.equals(Buffer.from(secret))) return candidate;
  }
}

describe("auth", () => {
  describe("ARP frames", () => {
    it("a signed frame verifies: 60 bytes, [0, 42) as given, the trailer at [42, 60), bytes after 60 ignored", () => {
      const { signer, verifier } = pair();
      const frame = arpFrame();
      const signed = signArpFrame(signer, frame);
      assert.equal(signed.length, 60);
      assert.deepEqual(signed.subarray(0, 42), frame);
      assert.deepEqual([...signed.subarray(42, 44)], [0x54, 0x4b]);
      assert.deepEqual(verifyArpFrame(verifier, signed), { ok: true, counter: T0 });
      const captured = new Uint8Array(64);
      captured.set(signArpFrame(signer, frame));
      assert.ok(verifyArpFrame(verifier, captured).ok, "a 64-byte capture with 4 bytes after the trailer");
    });

    it("signs only the first 42 bytes of a longer frame (its old padding is replaced)", () => {
      const { signer, verifier } = pair();
      const padded = new Uint8Array(60).fill(0xaa);
      padded.set(arpFrame());
      const signed = signArpFrame(signer, padded);
      assert.deepEqual(signed.subarray(0, 42), arpFrame());
      assert.ok(verifyArpFrame(verifier, signed).ok);
    });

    it("an unsigned or short frame has no trailer; a frame under 42 bytes is refused with one line", () => {
      const { signer, verifier } = pair();
      const unsigned = new Uint8Array(60);
      unsigned.set(arpFrame());
      assert.deepEqual(verifyArpFrame(verifier, unsigned), { ok: false, why: "no trailer" });
      assert.deepEqual(verifyArpFrame(verifier, signArpFrame(signer, arpFrame()).subarray(0, 59)), { ok: false, why: "no trailer" });
      assert.throws(() => signArpFrame(signer, new Uint8Array(41)), (e: Error) => /^signArpFrame: a 41-byte frame/.test(e.message) && !e.message.includes("\n"));
    });

    it("the sender is the frame's Ethernet source MAC", () => {
      assert.equal(frameSource(arpFrame([0x02, 0x00, 0x5e, 0x00, 0xab, 0x0c])), "02:00:5e:00:ab:0c");
    });

    it("the request and reply forms of an announcement, signed back to back in one millisecond, both verify", () => {
      const { signer, verifier } = pair();
      const request = signArpFrame(signer, arpFrame());
      const reply = arpFrame();
      reply[21] = 2;
      const signedReply = signArpFrame(signer, reply);
      assert.deepEqual(verifyArpFrame(verifier, request), { ok: true, counter: T0 });
      assert.deepEqual(verifyArpFrame(verifier, signedReply), { ok: true, counter: T0 + 1 });
    });
  });

  describe("tampering", () => {
    it("any single bit flip in the covered bytes or the trailer of a signed ARP frame fails (property)", () => {
      let coveredFlips = 0;
      let trailerFlips = 0;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 42, maxLength: 42 }), fc.nat(60 * 8 - 1), fc.integer({ min: -20_000, max: 20_000 }), (frame, bit, skew) => {
          const clock = new Clock();
          const keys = PairKeys.fromSecret(SECRET);
          const signed = signArpFrame(new Signer(keys, () => clock.ms + skew), frame);
          const verifier = new Verifier(keys, clock.now);
          const flipped = Uint8Array.from(signed);
          flipped[bit >> 3] ^= 1 << (bit & 7);
          if (bit < 42 * 8) coveredFlips++;
          else trailerFlips++;
          const verdict = verifyArpFrame(verifier, flipped);
          assert.equal(verdict.ok, false);
          assert.ok(["no trailer", "unknown key", "bad tag"].includes((verdict as { why: string }).why), JSON.stringify(verdict));
          // the failed attempt left no state: the genuine frame still verifies
          assert.ok(verifyArpFrame(verifier, signed).ok);
        }),
        { numRuns: 2000 },
      );
      assert.ok(coveredFlips >= 100, `covered-byte flips: ${coveredFlips}`);
      assert.ok(trailerFlips >= 100, `trailer flips: ${trailerFlips}`);
    });

    it("any single bit flip in covered parts of any size (up to 2400 bytes, in up to 8 parts) or the trailer fails, for every purpose (property)", () => {
      const seen = { covered: 0, trailer: 0, big: 0, manyParts: 0 };
      const purposes = [Purpose.Arp, Purpose.EchoRequest, Purpose.EchoReply] as const;
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ minLength: 0, maxLength: 300, size: "max" }), { minLength: 1, maxLength: 8, size: "max" }),
          fc.constantFrom(...purposes),
          fc.boolean(),
          fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
          (parts, purpose, inTrailer, where) => {
            const { signer, verifier } = pair();
            const trailer = signer.trailer(purpose, parts);
            const coveredBits = parts.reduce((n, p) => n + p.length, 0) * 8;
            // half the flips in the trailer, half in the covered bytes (when there are any)
            const bit = inTrailer || coveredBits === 0 ? coveredBits + Math.floor(where * TRAILER_BYTES * 8) : Math.floor(where * coveredBits);
            const covered = parts.map((p) => Uint8Array.from(p));
            const flippedTrailer = Uint8Array.from(trailer);
            if (bit < coveredBits) {
              seen.covered++;
              let at = bit >> 3;
              const part = covered.find((p) => (at < p.length ? true : ((at -= p.length), false)))!;
              part[at] ^= 1 << (bit & 7);
            } else {
              seen.trailer++;
              flippedTrailer[(bit - coveredBits) >> 3] ^= 1 << (bit & 7);
            }
            if (coveredBits >= 1000 * 8) seen.big++;
            if (parts.length >= 5) seen.manyParts++;
            assert.equal(verifier.verify(purpose, covered, flippedTrailer, "peer").ok, false);
            assert.ok(verifier.verify(purpose, parts, trailer, "peer").ok);
          },
        ),
        { numRuns: 1000 },
      );
      assert.ok(seen.covered >= 100 && seen.trailer >= 100, JSON.stringify(seen));
      assert.ok(seen.big >= 50 && seen.manyParts >= 100, `sizes reached: ${JSON.stringify(seen)}`);
    });

    it("parts are taken as their concatenation: the same bytes split differently verify", () => {
      const { signer, verifier } = pair();
      const bytes = Uint8Array.from({ length: 40 }, (_, i) => i);
      const trailer = signer.trailer(Purpose.EchoRequest, bytes);
      assert.ok(verifier.verify(Purpose.EchoRequest, [bytes.subarray(0, 8), bytes.subarray(8)], trailer, "192.0.2.1").ok);
    });
  });

  describe("replays", () => {
    it("the same frame again is 'replayed'", () => {
      const { signer, verifier } = pair();
      const signed = signArpFrame(signer, arpFrame());
      assert.ok(verifyArpFrame(verifier, signed).ok);
      assert.deepEqual(verifyArpFrame(verifier, signed), { ok: false, why: "replayed", counter: T0 });
    });

    it("an older counter from the same sender and purpose is 'replayed'", () => {
      const { clock, signer, verifier } = pair();
      const first = signArpFrame(signer, arpFrame());
      clock.ms += 1000;
      const second = signArpFrame(signer, arpFrame());
      assert.ok(verifyArpFrame(verifier, second).ok);
      assert.deepEqual(verifyArpFrame(verifier, first), { ok: false, why: "replayed", counter: T0 });
    });

    it("counters are kept per sender and per purpose", () => {
      const { clock, signer, verifier } = pair();
      const early = signer.trailer(Purpose.EchoRequest, [Uint8Array.of(1)]);
      const earlyOther = signer.trailer(Purpose.EchoRequest, [Uint8Array.of(2)]);
      clock.ms += 500;
      assert.ok(verifyArpFrame(verifier, signArpFrame(signer, arpFrame())).ok);
      assert.ok(verifier.verify(Purpose.EchoRequest, [Uint8Array.of(1)], early, "192.0.2.1").ok, "another purpose");
      assert.ok(verifier.verify(Purpose.EchoRequest, [Uint8Array.of(2)], earlyOther, "192.0.2.2").ok, "another sender");
    });

    it("keeps state for 64 senders: the least recently accepted is forgotten first", () => {
      const { clock, signer, verifier } = pair();
      const trailers = new Map<string, Uint8Array>();
      const covered = (s: string) => [Buffer.from(s)];
      for (let i = 0; i < 65; i++) {
        const s = `sender ${i}`;
        trailers.set(s, signer.trailer(Purpose.EchoReply, covered(s)));
        clock.ms += 1;
        assert.ok(verifier.verify(Purpose.EchoReply, covered(s), trailers.get(s)!, s).ok);
        if (i === 1) {
          // sender 0 is heard again after sender 1: sender 1 is now the least recent
          const again = signer.trailer(Purpose.EchoReply, covered("sender 0"));
          assert.ok(verifier.verify(Purpose.EchoReply, covered("sender 0"), again, "sender 0").ok);
        }
      }
      // 65 senders heard: sender 1, the least recent, was forgotten; sender 0 and the rest are remembered
      for (const s of ["sender 0", "sender 2", "sender 64"]) assert.equal((verifier.verify(Purpose.EchoReply, covered(s), trailers.get(s)!, s) as { why?: string }).why, "replayed", s);
      assert.ok(verifier.verify(Purpose.EchoReply, covered("sender 1"), trailers.get("sender 1")!, "sender 1").ok, "forgotten, so accepted again");
    });
  });

  describe("keys and purposes", () => {
    it("a frame signed with another key fails: 'unknown key' for another key id, 'bad tag' for the same id", () => {
      const { verifier } = pair();
      const other = new Signer(PairKeys.fromSecret(OTHER), () => T0);
      const otherId = createHash("sha256").update(OTHER).digest()[0];
      assert.notEqual(otherId, createHash("sha256").update(SECRET).digest()[0], "the test's two secrets have different ids");
      assert.deepEqual(verifyArpFrame(verifier, signArpFrame(other, arpFrame())), { ok: false, why: "unknown key" });
      const colliding = new Signer(PairKeys.fromSecret(sameIdSecret(SECRET)), () => T0);
      assert.deepEqual(verifyArpFrame(verifier, signArpFrame(colliding, arpFrame())), { ok: false, why: "bad tag" });
    });

    it("a tag for one purpose does not verify as another", () => {
      const purposes = [Purpose.Arp, Purpose.EchoRequest, Purpose.EchoReply];
      for (const signedAs of purposes) {
        for (const checkedAs of purposes) {
          const { signer, verifier } = pair();
          const covered = arpFrame();
          const verdict = verifier.verify(checkedAs, covered, signer.trailer(signedAs, covered), "peer");
          assert.deepEqual(verdict.ok ? "ok" : verdict.why, signedAs === checkedAs ? "ok" : "bad tag", `${signedAs} as ${checkedAs}`);
        }
      }
    });

    it("after rotate(), the old key verifies until the grace ends, then not; the new key signs and verifies", () => {
      const clock = new Clock();
      const oldKeys = PairKeys.fromSecret(SECRET);
      const oldSigner = new Signer(oldKeys, clock.now);
      const newSigner = new Signer(oldKeys, clock.now);
      const verifier = new Verifier(oldKeys, clock.now);
      newSigner.keys = newSigner.keys.rotate(PairKeys.fromSecret(OTHER), clock.ms, 60_000);
      verifier.keys = verifier.keys.rotate(PairKeys.fromSecret(OTHER), clock.ms, 60_000);
      assert.deepEqual(verifyArpFrame(new Verifier(oldKeys, clock.now), signArpFrame(newSigner, arpFrame())), { ok: false, why: "unknown key" }, "signs with the new key");
      const frame = (mac: number) => arpFrame([2, 0, 0x5e, 0, 0, mac]);
      assert.ok(verifyArpFrame(verifier, signArpFrame(oldSigner, frame(1))).ok, "old key, in the grace");
      assert.ok(verifyArpFrame(verifier, signArpFrame(newSigner, frame(2))).ok, "new key");
      clock.ms += 59_999;
      assert.ok(verifyArpFrame(verifier, signArpFrame(oldSigner, frame(1))).ok, "old key, last ms of the grace");
      clock.ms += 1;
      assert.deepEqual(verifyArpFrame(verifier, signArpFrame(oldSigner, frame(1))), { ok: false, why: "unknown key" }, "old key, grace over");
      assert.ok(verifyArpFrame(verifier, signArpFrame(newSigner, frame(2))).ok, "new key, grace over");
    });

    it("rotate() with keys of the same id tries both during the grace, and only the new one after", () => {
      const clock = new Clock();
      const oldKeys = PairKeys.fromSecret(SECRET);
      const nextKeys = PairKeys.fromSecret(sameIdSecret(SECRET));
      const verifier = new Verifier(oldKeys.rotate(nextKeys, clock.ms, 1000), clock.now);
      const old = new Signer(oldKeys, clock.now);
      const next = new Signer(nextKeys, clock.now);
      assert.ok(verifyArpFrame(verifier, signArpFrame(old, arpFrame([2, 0, 0, 0, 0, 1]))).ok);
      assert.ok(verifyArpFrame(verifier, signArpFrame(next, arpFrame([2, 0, 0, 0, 0, 2]))).ok);
      clock.ms += 1000;
      assert.deepEqual(verifyArpFrame(verifier, signArpFrame(old, arpFrame([2, 0, 0, 0, 0, 1]))), { ok: false, why: "bad tag" });
    });

    it("rotating to the key in use changes nothing (a reload of the same file keeps an earlier grace)", () => {
      const keys = PairKeys.fromSecret(SECRET).rotate(PairKeys.fromSecret(OTHER), T0, 1000);
      assert.equal(keys.rotate(PairKeys.fromSecret(OTHER), T0 + 500, 0), keys);
    });
  });

  describe("the window", () => {
    it("counters more than windowMs from our clock are 'too old' or 'too new'; at windowMs they pass", () => {
      const cases: [number, string][] = [
        [-30_001, "too old"],
        [-30_000, "ok"],
        [30_000, "ok"],
        [30_001, "too new"],
      ];
      for (const [offset, expected] of cases) {
        const { signer } = pair(undefined, new Clock(T0 + offset));
        const verifier = new Verifier(PairKeys.fromSecret(SECRET), () => T0);
        const verdict = verifyArpFrame(verifier, signArpFrame(signer, arpFrame()));
        assert.equal(verdict.ok ? "ok" : verdict.why, expected, `sender clock ${offset} ms from ours`);
      }
      const narrow = new Verifier(PairKeys.fromSecret(SECRET), () => T0, { windowMs: 100 });
      assert.deepEqual(verifyArpFrame(narrow, signArpFrame(pair(undefined, new Clock(T0 - 101)).signer, arpFrame())), { ok: false, why: "too old", counter: T0 - 101 });
    });

    it("today's clock fits the 5-byte counter (ms since 2024-01-01): it comes back exact", () => {
      const now = Date.now();
      const verdict = verifyArpFrame(new Verifier(PairKeys.fromSecret(SECRET), () => now), signArpFrame(new Signer(PairKeys.fromSecret(SECRET), () => now), arpFrame()));
      assert.deepEqual(verdict, { ok: true, counter: now });
      assert.ok(2 ** 40 < now, "a 5-byte count of ms since 1970 would have wrapped");
    });

    it("a clock before 2024 signs at the epoch; one past 2058 is refused with one line", () => {
      assert.equal(counterOf(new Signer(PairKeys.fromSecret(SECRET), () => 0).trailer(Purpose.Arp, arpFrame())), COUNTER_EPOCH_MS);
      const late = new Signer(PairKeys.fromSecret(SECRET), () => COUNTER_EPOCH_MS + 2 ** 40);
      assert.throws(() => late.trailer(Purpose.Arp, arpFrame()), (e: Error) => /^auth signer: .* set the system clock$/.test(e.message));
    });
  });

  describe("the signer's counter", () => {
    it("is strictly increasing, and never behind the clock, whatever the clock does (property)", () => {
      const steps = { back: 0, same: 0, forward: 0 };
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.integer({ min: -5000, max: -1 }), fc.constant(0), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 200, size: "max" }), (moves) => {
          const clock = new Clock();
          const signer = new Signer(PairKeys.fromSecret(SECRET), clock.now);
          let last = -Infinity;
          for (const move of moves) {
            clock.ms += move;
            if (move < 0) steps.back++;
            else if (move === 0) steps.same++;
            else steps.forward++;
            const counter = counterOf(signer.trailer(Purpose.Arp, arpFrame()));
            assert.ok(counter > last, `${counter} after ${last}`);
            assert.ok(counter >= clock.ms);
            last = counter;
          }
        }),
        { numRuns: 200 },
      );
      assert.ok(steps.back >= 100 && steps.same >= 100 && steps.forward >= 100, JSON.stringify(steps));
    });
  });

  describe("key files", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "takeover-auth-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const oneLine = (pattern: RegExp) => (e: Error) => {
      assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    };

    it("reads a key trimmed of surrounding whitespace (base64 of 32 random bytes, with its newline)", () => {
      const path = join(dir, "key");
      writeFileSync(path, `  ${SECRET.toString("base64")}\n\n`, { mode: 0o600 });
      const fromFile = new Signer(PairKeys.fromFile(path), () => T0);
      const verifier = new Verifier(PairKeys.fromSecret(Buffer.from(SECRET.toString("base64"))), () => T0);
      assert.ok(verifyArpFrame(verifier, signArpFrame(fromFile, arpFrame())).ok);
      chmodSync(path, 0o400);
      assert.ok(PairKeys.fromFile(path));
    });

    it("refuses a group- or world-readable file: chmod 600 PATH", () => {
      const path = join(dir, "key");
      writeFileSync(path, SECRET);
      for (const mode of [0o644, 0o640, 0o604, 0o620]) {
        chmodSync(path, mode);
        assert.throws(() => PairKeys.fromFile(path), oneLine(new RegExp(`^auth key file ${path}: readable or writable by group or others \\(mode ${mode.toString(8)}\\) — chmod 600 ${path}$`)));
      }
    });

    it("refuses a missing file, a directory, a FIFO, a short key and a long file, each in one line", () => {
      const missing = join(dir, "nope");
      assert.throws(() => PairKeys.fromFile(missing), oneLine(new RegExp(`^auth key file ${missing}: missing — make one: head -c 32 /dev/urandom \\| base64 > ${missing}`)));
      const directory = join(dir, "d");
      mkdirSync(directory, { mode: 0o700 });
      assert.throws(() => PairKeys.fromFile(directory), oneLine(/: not a regular file — /));
      const fifo = join(dir, "fifo");
      execFileSync("mkfifo", ["-m", "600", fifo]);
      assert.throws(() => PairKeys.fromFile(fifo), oneLine(/: not a regular file — /));
      const short = join(dir, "short");
      writeFileSync(short, "  fifteen bytes!!\n", { mode: 0o600 });
      assert.throws(() => PairKeys.fromFile(short), oneLine(/: 15 bytes of key, fewer than 16 — make a longer one: /));
      const long = join(dir, "long");
      writeFileSync(long, Buffer.alloc(4097, 0x41), { mode: 0o600 });
      assert.throws(() => PairKeys.fromFile(long), oneLine(/: 4097 bytes, more than 4096 — /));
      writeFileSync(long, Buffer.alloc(4096, 0x41), { mode: 0o600 });
      assert.ok(PairKeys.fromFile(long), "4096 bytes is allowed");
      assert.throws(() => PairKeys.fromSecret(Buffer.alloc(15)), oneLine(/^auth secret: 15 bytes, fewer than 16 — /));
    });
  });
});
