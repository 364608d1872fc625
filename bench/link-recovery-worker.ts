// The in-namespace half of bench/link-recovery.ts: opens a Link on eth0 and reports, with the
// process's µs clock, every state change of the link and every rtnetlink notification about eth0
// (seen on a subscription of its own, ahead of the link's), so the parent can split "command →
// verified" into its parts.

import { onParentMessage, report } from "../src/lab/worker";
import { Link } from "../src/link/link";
import { subscribeLinkEvents } from "../src/link/link-events";
import { hrtimeMicros } from "../src/link/port";

// Subscribed before the link, so this listener hears each notification first: its stamp is when the
// notification was read, not when the link had finished with it.
const stopEvents = subscribeLinkEvents((event) => {
  if (event.kind === "resync" || event.name !== "eth0") return;
  report({ kind: "event", event: event.kind, up: event.up, running: event.running, index: event.index, atMicros: hrtimeMicros() });
});
const link = Link.open("eth0", { filter: "arp" });
link.onState((state, why) => report({ kind: "state", state, why, atMicros: hrtimeMicros() }));
report({ kind: "ready", state: link.state });
onParentMessage(
  () => {},
  () => {
    stopEvents();
    link.close();
  },
);
