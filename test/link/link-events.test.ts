// rtnetlink link notifications as the link reads them: RTM_NEWLINK and RTM_DELLINK payloads (built
// with the netlink package's own encoder) become {kind, name, index, up, running, lowerUp, mac};
// other message types and nameless messages say nothing.

import { strict as assert } from "node:assert";
import { AttrStream, rt } from "netlink";
import { parseLinkEvent } from "../../src/link/link-events";
import { Mac } from "../../src/packets/address";

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;

function payload(data: rt.Link, attrs: rt.LinkMessage["attrs"]): Buffer {
  const out = new AttrStream();
  rt.formatLinkMessage({ kind: "link", data, attrs }, out);
  return Buffer.concat(out.bufs);
}

describe("link events: rtnetlink link messages", () => {
  const address = Buffer.from("02005e0002aa", "hex");

  it("reads an interface up with carrier: up, running, lower up, its MAC", () => {
    const event = parseLinkEvent(RTM_NEWLINK, payload({ index: 7, flags: { up: true, running: true, lowerUp: true, broadcast: true } }, { ifname: "eth0", address }));
    assert.deepEqual({ ...event, mac: event?.mac?.toString() }, {
      kind: "new",
      name: "eth0",
      index: 7,
      up: true,
      running: true,
      lowerUp: true,
      mac: Mac.parse("02:00:5e:00:02:aa").toString(),
    });
  });

  it("reads an admin up before the carrier (up, lower up, not running) and an admin down", () => {
    const early = parseLinkEvent(RTM_NEWLINK, payload({ index: 7, flags: { up: true, lowerUp: true } }, { ifname: "eth0", address }));
    assert.deepEqual([early?.up, early?.running, early?.lowerUp], [true, false, true]);
    const down = parseLinkEvent(RTM_NEWLINK, payload({ index: 7, flags: { broadcast: true } }, { ifname: "eth0", address }));
    assert.deepEqual([down?.up, down?.running, down?.lowerUp], [false, false, false]);
  });

  it("tells a removal from a change, and leaves out a hardware address that is not a MAC", () => {
    const gone = parseLinkEvent(RTM_DELLINK, payload({ index: 9, flags: {} }, { ifname: "eth0", address: Buffer.alloc(4) }));
    assert.equal(gone?.kind, "del");
    assert.equal(gone?.index, 9);
    assert.equal(gone?.mac, undefined);
  });

  it("says nothing of other message types or of a message without a name", () => {
    assert.equal(parseLinkEvent(RTM_NEWADDR, Buffer.alloc(16)), undefined);
    assert.equal(parseLinkEvent(RTM_NEWLINK, payload({ index: 3, flags: { up: true } }, {})), undefined);
  });
});
