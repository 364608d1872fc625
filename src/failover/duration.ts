// Durations as operators write them in the config file (`100ms`, `1.5s`, `250us`, `1m`) and as we
// print them back, held as whole microseconds (the unit of time everywhere in takeover). A bare
// number is refused, because `100` could mean 100 ms or 100 s; the error says how to write it.

/** Thrown for text that is not a duration. The message names the text, the problem and the fix. */
export class DurationError extends Error {
  override readonly name = "DurationError";
}

/** Microseconds per unit, for the units we accept. */
const UNITS: ReadonlyMap<string, number> = new Map([
  ["us", 1],
  ["\u00b5s", 1], // micro sign
  ["\u03bcs", 1], // Greek small letter mu, which some keyboards give instead
  ["ms", 1_000],
  ["s", 1_000_000],
  ["m", 60_000_000],
  ["h", 3_600_000_000],
]);

/** Spellings people reach for, mapped to the unit we accept, so the error can say what to write. */
const SPELLINGS: ReadonlyMap<string, string> = new Map([
  ["usec", "us"],
  ["usecs", "us"],
  ["micros", "us"],
  ["msec", "ms"],
  ["msecs", "ms"],
  ["millis", "ms"],
  ["sec", "s"],
  ["secs", "s"],
  ["second", "s"],
  ["seconds", "s"],
  ["min", "m"],
  ["mins", "m"],
  ["minute", "m"],
  ["minutes", "m"],
  ["hr", "h"],
  ["hrs", "h"],
  ["hour", "h"],
  ["hours", "h"],
]);

const UNIT_LIST = "us, ms, s, m or h";

/**
 * Parses `<number><unit>`: a decimal number (`100`, `1.5`) and one of us (or µs), ms, s, m, h, with
 * optional spaces between. `0` alone is accepted: zero is zero in every unit.
 * @returns whole microseconds
 * @throws DurationError naming the text, what is wrong and how to write it
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "") throw new DurationError(`"${text}" is empty: write a number and a unit, like 100ms or 2s`);
  if (trimmed.startsWith("-")) throw new DurationError(`"${text}" is negative: a duration is 0 or more, like 0s or 100ms`);
  if (/^\+?[0-9]+(\.[0-9]+)?$/.test(trimmed)) {
    if (Number(trimmed) === 0) return 0;
    throw new DurationError(`"${text}" has no unit: write ${trimmed}ms or 2s`);
  }
  const match = /^\+?([0-9]+)(?:\.([0-9]+))?\s*([^\s0-9.]+)$/.exec(trimmed);
  if (match === null) throw new DurationError(`"${text}" is not a duration: write a number and a unit, like 100ms or 2s`);
  const [, whole, fraction = "", unit] = match;
  const per = UNITS.get(unit);
  if (per === undefined) {
    const meant = UNITS.has(unit.toLowerCase()) ? unit.toLowerCase() : SPELLINGS.get(unit.toLowerCase());
    const number = fraction === "" ? whole : `${whole}.${fraction}`;
    throw new DurationError(
      meant === undefined
        ? `"${text}" has an unknown unit "${unit}": use ${UNIT_LIST}`
        : `"${text}" has an unknown unit "${unit}": write ${number}${meant}`,
    );
  }
  // exact decimal arithmetic: 1.1s is 1100000 µs, not 1100000.0000000002
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(whole) * scale + BigInt(fraction === "" ? "0" : fraction)) * BigInt(per);
  if (scaled % scale !== 0n) throw new DurationError(`"${text}" is finer than a microsecond: round it to whole microseconds`);
  const micros = scaled / scale;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new DurationError(`"${text}" is too long: keep it under 100 years`);
  return Number(micros);
}

/**
 * The shortest plain form of a duration: whole hours or minutes when exact (`1h`, `2m`), else seconds
 * or milliseconds with up to three decimals (`1.5s`, `100ms`, `1.25ms`), else microseconds (`250us`).
 * `parseDuration(formatDuration(µs)) === µs` for every whole, non-negative, safe µs.
 */
export function formatDuration(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`formatDuration: need whole microseconds ≥ 0, got ${micros}`);
  if (micros === 0) return "0s";
  if (micros % 3_600_000_000 === 0) return `${micros / 3_600_000_000}h`;
  if (micros % 60_000_000 === 0) return `${micros / 60_000_000}m`;
  if (micros >= 1_000_000 && micros % 1_000 === 0) return `${decimal(micros, 1_000_000, 6)}s`;
  if (micros >= 1_000) return `${decimal(micros, 1_000, 3)}ms`;
  return `${micros}us`;
}

/** `value / per` written out exactly, with trailing zeros of the fraction dropped. */
function decimal(value: number, per: number, digits: number): string {
  const whole = Math.floor(value / per);
  const fraction = String(value % per).padStart(digits, "0").replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}
