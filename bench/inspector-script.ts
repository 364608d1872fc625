// The scripts that bench:soak and bench:cycle run inside a daemon's namespace to talk to its
// inspector (opened by SIGUSR1 on 127.0.0.1:9229): finding it, the websocket, and `call(method,
// params)`; each bench gives the body that uses them (`mode` and `arg` are its command line).
// Run with node --experimental-websocket (Node 20).

/** The whole script: the connection, then `body` (a first newline dropped), then closing the socket and exiting 0. */
export function inspectorScript(body: string): string {
  return `
const mode = process.argv[2];
const arg = process.argv[3];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  let list;
  for (let i = 0; i < 50 && list === undefined; i++) {
    try { list = await (await fetch("http://127.0.0.1:9229/json/list")).json(); } catch { await sleep(100); }
  }
  if (list === undefined) throw new Error("no inspector on 127.0.0.1:9229");
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("inspector websocket failed")); });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (m) => { const x = JSON.parse(m.data); if (x.id !== undefined && pending.has(x.id)) { pending.get(x.id)(x); pending.delete(x.id); } };
  const call = (method, params = {}) => new Promise((resolve) => { const n = ++id; pending.set(n, resolve); ws.send(JSON.stringify({ id: n, method, params })); });
${body.replace(/^\n/, "")}  ws.close();
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\\n"); process.exit(1); });
`;
}
