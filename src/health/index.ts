// Health checks: ICMP echo, HTTP GET (status and body), TCP connect, a program's exit status, another
// interface's carrier, all with one shape,
// `run() → {ok, rttMicros, detail}`, for the failover daemon to run on a schedule.
export { ABORTED_DETAIL } from "./check";
export type { CheckResult, HealthCheck } from "./check";
export { IcmpCheck } from "./icmp";
export { HttpCheck } from "./http";
export type { HttpCheckOptions } from "./http";
export { TcpCheck } from "./tcp";
export type { TcpCheckOptions } from "./tcp";
export { ExecCheck } from "./exec";
export type { ExecCheckOptions } from "./exec";
export { InterfaceCheck } from "./interface";
