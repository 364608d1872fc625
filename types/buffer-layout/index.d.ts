// Minimal type declarations for buffer-layout 1.2 (the package ships none): only what takeover uses
// to describe fixed headers and derive their field offsets, widths and bit positions. Property
// names are carried in the types so that a header's field table is checked by the compiler.
declare module "buffer-layout" {
  export class Layout<P extends string = string> {
    readonly span: number;
    readonly property: P;
    decode(b: Uint8Array, offset?: number): unknown;
    encode(src: unknown, b: Uint8Array, offset?: number): number;
  }
  export class UInt<P extends string = string> extends Layout<P> {}
  export class UIntBE<P extends string = string> extends Layout<P> {}
  export class Blob<P extends string = string> extends Layout<P> {}
  export class Structure<P extends string = string> extends Layout {
    readonly fields: Layout<P>[];
    offsetOf(property: P): number | undefined;
  }
  export class BitField<P extends string = string> {
    readonly container: BitStructure;
    readonly bits: number;
    readonly start: number;
    readonly valueMask: number;
    readonly property: P;
  }
  export class BitStructure<P extends string = string> extends Layout<P> {
    readonly fields: BitField[];
    readonly msb: boolean;
    addField<Q extends string>(bits: number, property: Q): BitField<Q>;
    addBoolean<Q extends string>(property: Q): BitField<Q>;
  }
  export function u8<P extends string>(property: P): UInt<P>;
  export function u16be<P extends string>(property: P): UIntBE<P>;
  export function u32be<P extends string>(property: P): UIntBE<P>;
  export function blob<P extends string>(length: number, property: P): Blob<P>;
  export function struct<L extends Layout<string>>(fields: L[], property?: string): Structure<L["property"]>;
  export function bits<P extends string>(word: UInt | UIntBE, msb: boolean, property: P): BitStructure<P>;
}
