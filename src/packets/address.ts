// MAC and IPv4 address value types. Each holds its address as one number (48 or 32 bits), so decoding
// a frame copies no bytes and allocates one small object per address; the text form is made only
// when asked for (toString/toJSON). Parsers accept what operators type and reject what is ambiguous.

/** Thrown when text given as an address is not one. The message names the text and what is wrong. */
export class AddressError extends Error {
  /** Always "AddressError", so that the class survives minification and serialisation. */
  override readonly name = "AddressError";
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const TWO_32 = 0x1_0000_0000;

/** A 48-bit Ethernet MAC address. Compare with `equals` or by `value`. */
export class Mac {
  declare private readonly brand: "Mac";
  /** the address as an integer, first octet most significant (0 .. 2^48-1) */
  declare readonly value: number;

  /** @param value the address as an integer, first octet most significant (0 .. 2^48-1) */
  constructor(value: number) {
    // Assigned, not declared as a class field: a field is first defined as undefined, which leaves
    // V8 a tagged field (a type check on every read) where a number-only field needs none.
    this.value = value;
  }

  /** ff:ff:ff:ff:ff:ff, the Ethernet broadcast address. */
  static readonly BROADCAST = new Mac(0xffff_ffff_ffff);
  /** 00:00:00:00:00:00, what ARP requests carry as the unknown target hardware address. */
  static readonly ZERO = new Mac(0);

  /** Reads six bytes at `offset`. The caller has checked the length. */
  static read(bytes: Uint8Array, offset: number): Mac {
    const high = (bytes[offset] << 8) | bytes[offset + 1];
    const low = ((bytes[offset + 2] << 24) | (bytes[offset + 3] << 16) | (bytes[offset + 4] << 8) | bytes[offset + 5]) >>> 0;
    return new Mac(high * TWO_32 + low);
  }

  /**
   * Parses `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff` or `aabbccddeeff`, any case.
   * @throws AddressError naming the text and the problem
   */
  static parse(text: string): Mac {
    const trimmed = text.trim();
    let digits: string;
    if (/^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i.test(trimmed)) {
      digits = trimmed.split(/[:-]/).map((p) => p.padStart(2, "0")).join("");
    } else if (/^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i.test(trimmed) || /^[0-9a-f]{12}$/i.test(trimmed)) {
      digits = trimmed.replace(/\./g, "");
    } else {
      const bare = trimmed.replace(/[:.-]/g, "");
      const bad = /[^0-9a-f]/i.exec(bare);
      if (bad !== null) {
        throw new AddressError(`MAC address "${text}" has a character that is not a hex digit: "${bad[0]}"`);
      }
      if (bare.length !== 12) {
        throw new AddressError(`MAC address "${text}" has ${bare.length} hex digits, need 12`);
      }
      throw new AddressError(
        `MAC address "${text}" is grouped oddly; write aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff`,
      );
    }
    return new Mac(parseInt(digits, 16));
  }

  /** Writes the six bytes at `offset`. */
  write(bytes: Uint8Array, offset: number): void {
    const value = this.value;
    if (!(value >= 0)) return writeMacGenerally(value, bytes, offset);
    // integer arithmetic: for a value >= 0 these are the bytes of floor(value / 2^32) and of
    // value % 2^32 that the general path writes, without a floating-point modulo (a call into C)
    const high = (value / 0x1_0000_0000) >>> 0;
    const low = value >>> 0;
    bytes[offset] = high >>> 8;
    bytes[offset + 1] = high & 0xff;
    bytes[offset + 2] = low >>> 24;
    bytes[offset + 3] = (low >>> 16) & 0xff;
    bytes[offset + 4] = (low >>> 8) & 0xff;
    bytes[offset + 5] = low & 0xff;
  }

  /** The six bytes of the address, first octet first, in a new array. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(6);
    this.write(out, 0);
    return out;
  }

  /** True when `other` is the same address. */
  equals(other: Mac): boolean {
    return this.value === other.value;
  }

  /** True for ff:ff:ff:ff:ff:ff only. */
  get isBroadcast(): boolean {
    return this.value === 0xffff_ffff_ffff;
  }

  /** Group (multicast or broadcast) address: the low bit of the first octet is set. */
  get isGroup(): boolean {
    return Math.floor(this.value / 0x100_0000_0000) % 2 === 1;
  }

  /** Six lower-case hex pairs joined by colons, e.g. "02:00:5e:00:00:17" (tcpdump's form). */
  toString(): string {
    const high = Math.floor(this.value / TWO_32);
    const low = this.value % TWO_32;
    return `${HEX[high >>> 8]}:${HEX[high & 0xff]}:${HEX[low >>> 24]}:${HEX[(low >>> 16) & 0xff]}:${HEX[(low >>> 8) & 0xff]}:${HEX[low & 0xff]}`;
  }

  /** The text form (toString), so that JSON.stringify writes an address as a string. */
  toJSON(): string {
    return this.toString();
  }
}

/** Mac.write for any other value (negative, NaN): kept apart so that Mac.write stays small enough to inline. */
function writeMacGenerally(value: number, bytes: Uint8Array, offset: number): void {
  const high = Math.floor(value / TWO_32);
  const low = value % TWO_32;
  bytes[offset] = high >>> 8;
  bytes[offset + 1] = high & 0xff;
  bytes[offset + 2] = low >>> 24;
  bytes[offset + 3] = (low >>> 16) & 0xff;
  bytes[offset + 4] = (low >>> 8) & 0xff;
  bytes[offset + 5] = low & 0xff;
}

/** An IPv4 address. Compare with `equals` or by `value`. */
export class Ipv4 {
  declare private readonly brand: "Ipv4";
  /** the address as an unsigned 32-bit integer, first octet most significant */
  declare readonly value: number;

  /** @param value the address as an unsigned 32-bit integer, first octet most significant */
  constructor(value: number) {
    this.value = value; // (assigned, not a class field: see Mac)
  }

  /** 0.0.0.0, what an ARP probe carries as its sender address. */
  static readonly ANY = new Ipv4(0);
  /** 255.255.255.255, the limited broadcast address. */
  static readonly BROADCAST = new Ipv4(0xffff_ffff);

  /** Reads four bytes at `offset`. The caller has checked the length. */
  static read(bytes: Uint8Array, offset: number): Ipv4 {
    return new Ipv4(
      ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0,
    );
  }

  /**
   * Parses a dotted quad, `192.0.2.1`. Nothing else: no shorthand (`127.1`), no octal or hex parts,
   * no leading zeros (`010` would mean 8 to inet_aton and 10 to a person).
   * @throws AddressError naming the text and the problem
   */
  static parse(text: string): Ipv4 {
    const parts = text.split(".");
    if (parts.length !== 4) {
      throw new AddressError(`"${text}" is not an IPv4 address: need four numbers separated by dots, like 192.0.2.1`);
    }
    let value = 0;
    for (const part of parts) {
      if (!/^[0-9]{1,3}$/.test(part)) {
        throw new AddressError(`"${text}" is not an IPv4 address: "${part}" is not a number from 0 to 255`);
      }
      if (part.length > 1 && part[0] === "0") {
        throw new AddressError(`"${text}" is not an IPv4 address: "${part}" has a leading zero (octal or decimal?)`);
      }
      const octet = Number(part);
      if (octet > 255) {
        throw new AddressError(`"${text}" is not an IPv4 address: ${octet} is over 255`);
      }
      value = value * 256 + octet;
    }
    return new Ipv4(value);
  }

  /** Writes the four bytes at `offset`. */
  write(bytes: Uint8Array, offset: number): void {
    const v = this.value >>> 0;
    bytes[offset] = v >>> 24;
    bytes[offset + 1] = (v >>> 16) & 0xff;
    bytes[offset + 2] = (v >>> 8) & 0xff;
    bytes[offset + 3] = v & 0xff;
  }

  /** The four bytes of the address, first octet first, in a new array. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(4);
    this.write(out, 0);
    return out;
  }

  /** True when `other` is the same address. */
  equals(other: Ipv4): boolean {
    return this.value === other.value;
  }

  /** True when `other` is in the same network as this address under `prefixLength`. */
  sameSubnet(other: Ipv4, prefixLength: number): boolean {
    if (prefixLength <= 0) return true;
    const mask = (0xffff_ffff << (32 - Math.min(32, prefixLength))) >>> 0;
    return ((this.value & mask) >>> 0) === ((other.value & mask) >>> 0);
  }

  /** Dotted-quad text, e.g. "192.0.2.37". */
  toString(): string {
    const v = this.value;
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }

  /** The text form (toString), so that JSON.stringify writes an address as a string. */
  toJSON(): string {
    return this.toString();
  }
}
