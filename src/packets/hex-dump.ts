// tcpdump's hex dumps (-x, -X, and the dumps it gives inside some lines): 16 bytes a row, each row
// "<indent>0xOOOO: " then eight groups " hhhh", and for -X the bytes as ASCII beside them.
import type { TextBuffer } from "./summary";

const HEX_DIGITS = "0123456789abcdef";

function writeOffset(out: TextBuffer, indent: string, offset: number): void {
  out.ascii(indent);
  out.ascii("0x");
  for (let shift = 12; shift >= 0; shift -= 4) out.byte(HEX_DIGITS.charCodeAt((offset >>> shift) & 15));
  out.ascii(": ");
}

function writeByte(out: TextBuffer, value: number): void {
  out.byte(HEX_DIGITS.charCodeAt(value >>> 4));
  out.byte(HEX_DIGITS.charCodeAt(value & 15));
}

/** tcpdump -x's dump of bytes[from, end): "\n\t0xOOOO: " (`indent` for "\n\t") and eight groups " hhhh" a row. */
export function writeHex(bytes: Uint8Array, from: number, end: number, out: TextBuffer, indent = "\n\t"): void {
  for (let at = from; at < end; at += 16) {
    writeOffset(out, indent, at - from);
    const rowEnd = Math.min(end, at + 16);
    for (let i = at; i < rowEnd; i += 2) {
      out.byte(0x20);
      writeByte(out, bytes[i]);
      if (i + 1 < rowEnd) writeByte(out, bytes[i + 1]);
    }
  }
}

/** tcpdump -X's dump: as writeHex, the hex column padded to 40, two spaces, the bytes as ASCII ('.' unless 0x21..0x7e). */
export function writeHexAndAscii(bytes: Uint8Array, from: number, end: number, out: TextBuffer): void {
  for (let at = from; at < end; at += 16) {
    writeOffset(out, "\n\t", at - from);
    const rowEnd = Math.min(end, at + 16);
    const hexStart = out.length;
    for (let i = at; i < rowEnd; i += 2) {
      out.byte(0x20);
      writeByte(out, bytes[i]);
      if (i + 1 < rowEnd) writeByte(out, bytes[i + 1]);
    }
    for (let i = out.length - hexStart; i < 40; i++) out.byte(0x20);
    out.byte(0x20);
    out.byte(0x20);
    for (let i = at; i < rowEnd; i++) {
      const value = bytes[i];
      out.byte(value > 0x20 && value < 0x7f ? value : 0x2e);
    }
  }
}
