// The public shape of header descriptions: where each field sits, and a header layout seen from
// outside. Kept apart from layout.ts so the published type declarations do not depend on
// buffer-layout, which ships none.

/** Where one field sits in its header. */
export interface FieldPosition {
  readonly name: string;
  readonly offset: number;
  readonly span: number;
}

/** Where a bit field sits: the byte offset and span of its containing word, and its shift and mask. */
export interface BitPosition extends FieldPosition {
  readonly shift: number;
  readonly mask: number;
}

/** A fixed header's buffer-layout description, as the codecs export it. */
export interface HeaderLayout {
  /** length of the header in bytes */
  readonly span: number;
  /** byte offset of a named field, undefined for a name the header does not have */
  offsetOf(property: string): number | undefined;
}
