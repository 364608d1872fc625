// The namespace lab's public face: build topologies, run commands and Node workers inside them.
export { Lab, LabError, listNamespaces, OUTAGE_KINDS, withLab } from "./netns";
export type { HostSpec, LabSpec, LinkSpec, Neighbour, OutageKind } from "./netns";
export { CommandError, quoteArgv, run, runSync } from "./command";
export type { CommandOptions, CommandResult } from "./command";
export { NodeWorker, WorkerError, onParentMessage, report, workerInput } from "./worker";
export type { WorkerExit, WorkerMessage } from "./worker";
