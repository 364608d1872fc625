// The layout helpers' own cases: the first field past the end found by offset whatever order a table
// lists its fields in, and the errors that name a layout's missing word and a literal that disagrees
// with its layout (the start-up checks every codec module runs).
import { strict as assert } from "node:assert";
import { bits, struct, u8, u16be } from "buffer-layout";
import { bitTable, checkLiterals, FieldPosition, firstFieldPast } from "../../src/packets/layout";

describe("packet layouts (helpers)", () => {
  const field = (name: string, offset: number, span: number): FieldPosition => ({ name, offset, span });

  it("firstFieldPast finds the field with the lowest offset that does not fit, in any listing order", () => {
    const wireOrder = { a: field("a", 0, 2), b: field("b", 2, 2), c: field("c", 4, 4) };
    const shuffled = { c: wireOrder.c, b: wireOrder.b, a: wireOrder.a };
    for (const table of [wireOrder, shuffled]) {
      assert.equal(firstFieldPast(table, 0, 8), undefined, "the whole header fits");
      assert.equal(firstFieldPast(table, 0, 7)?.name, "c");
      assert.equal(firstFieldPast(table, 0, 3)?.name, "b");
      assert.equal(firstFieldPast(table, 2, 3)?.name, "a", "the base counts");
    }
  });

  it("bitTable names a word the layout does not have", () => {
    const word = bits(u16be("missing"), false, "missing");
    const fields = [word.addField(4, "high")];
    const layout = struct([u8("first")]);
    assert.throws(() => bitTable(layout, word, fields), /layout has no field missing$/);
  });

  it("checkLiterals names the first literal that disagrees with its layout", () => {
    assert.doesNotThrow(() => checkLiterals("demo", [["a", 1, 1], ["b", 2, 2]]));
    assert.throws(() => checkLiterals("demo", [["a", 1, 1], ["b", 3, 2], ["c", 9, 8]]), /^Error: demo: the literal for b is 3, the layout says 2$/);
  });
});
