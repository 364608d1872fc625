// takeover's library entry: the packet codecs (also importable alone as `takeover/packets`) and the
// pure failover state machine, for tools that want to reuse its decisions with their own I/O.
export * from "./packets";
export { FailoverMachine } from "./failover/machine";
export type { Action, AddressSpec, AddressState, CheckSpec, LogEvent, MachineConfig, MachineEvent, MachineSnapshot } from "./failover/machine";
