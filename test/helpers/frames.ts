// Frame helpers shared by tests: not a test file.

/** `frame` with an 802.1Q tag for `vlan` inserted after the MAC addresses. */
export function vlanTagged(frame: Uint8Array, vlan: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12));
  out.set([0x81, 0x00, vlan >> 8, vlan & 0xff], 12);
  out.set(frame.subarray(12), 16);
  return out;
}
