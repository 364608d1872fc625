// Header layouts: each fixed header is described once with buffer-layout (names, widths, order), and
// this module derives from that description the plain numbers the codecs use on the hot path (byte
// offsets, spans, bit shifts and masks). buffer-layout's own decode() is never called per frame: it
// costs ~20x a direct read. The same tables name the field in a DecodeError when a header is cut short.
import { BitField, BitStructure, Structure, Layout } from "buffer-layout";

import type { BitPosition, FieldPosition } from "./positions";
export type { BitPosition, FieldPosition } from "./positions";

/** Byte offset and span of every named field of a header layout, keyed by field name. */
export function fieldTable<P extends string>(layout: Structure<P>): Readonly<Record<P, FieldPosition>> {
  const table: Record<string, FieldPosition> = {};
  let offset = 0;
  for (const field of layout.fields) {
    table[field.property] = { name: field.property, offset, span: field.span };
    offset += field.span;
  }
  return table as Record<P, FieldPosition>;
}

/** Shift and mask of each bit field of a packed word, located at the word's field in `layout`. */
export function bitTable<Q extends string>(
  layout: Structure,
  word: BitStructure,
  fields: readonly BitField<Q>[],
): Readonly<Record<Q, BitPosition>> {
  const offset = layout.offsetOf(word.property);
  if (offset === undefined) throw new Error(`layout has no field ${word.property}`);
  const table: Record<string, BitPosition> = {};
  for (const f of fields) {
    table[f.property] = { name: f.property, offset, span: word.span, shift: f.start, mask: f.valueMask };
  }
  return table as Record<Q, BitPosition>;
}

/** Total length of a fixed header layout in bytes. */
export function spanOf(layout: Layout): number {
  return layout.span;
}

/**
 * The first field (in wire order) that does not fit in `available` bytes when the header starts at
 * `base`; undefined when the whole header fits. Used only on the error path.
 */
export function firstFieldPast(
  table: Readonly<Record<string, FieldPosition>>,
  base: number,
  available: number,
): FieldPosition | undefined {
  let first: FieldPosition | undefined;
  for (const field of Object.values(table)) {
    if (base + field.offset + field.span > available && (first === undefined || field.offset < first.offset)) {
      first = field;
    }
  }
  return first;
}

/**
 * The hot paths use header offsets, lengths and bit positions as literals (TypeScript const enums),
 * which V8 compiles to immediates; a value read from a table is a load and a check each time. Each
 * module checks its literals against its layout once, when it loads, with this: a layout edited
 * without its literals fails at startup, not on the wire.
 * @throws Error naming the first literal that disagrees with the layout
 */
export function checkLiterals(header: string, pairs: readonly (readonly [name: string, literal: number, fromLayout: number])[]): void {
  for (const [name, literal, fromLayout] of pairs) {
    if (literal !== fromLayout) throw new Error(`${header}: the literal for ${name} is ${literal}, the layout says ${fromLayout}`);
  }
}
