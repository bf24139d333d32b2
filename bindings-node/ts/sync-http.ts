// Synchronous HTTP for the testing module's synchronous controls (`callbacks()`,
// `injectFault()`, `requestCount()`, ...), which talk to an emulator in another process.
//
// A worker thread does the request with `fetch`, posts the answer on a message port and wakes
// this thread, which waits on a shared flag with `Atomics.wait` and then takes the answer with
// `receiveMessageOnPort`. One worker serves every emulator of the process; it does not keep the
// process alive.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** What the worker hands back: the status and body, or why there was no answer. */
export type SyncReply = { status: number; body: string } | { error: string };

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
port.on('message', async ({ method, url, body }) => {
  let reply;
  try {
    const init = { method };
    if (body !== undefined) {
      init.body = body;
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await fetch(url, init);
    reply = { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = e && e.cause && e.cause.message;
    reply = { error: String(cause || (e && e.message) || e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface Channel {
  port: MessagePort;
  flag: Int32Array;
}

let channel: Channel | undefined;

function open(): Channel {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { port: port1, flag };
}

/**
 * Sends one request and blocks this thread until its answer (or `timeoutMs`). `body` is sent
 * as JSON. Never throws for an HTTP status; a transport failure is `{ error }`.
 */
export function requestSync(method: string, url: string, body?: unknown, timeoutMs = 60_000): SyncReply {
  channel ??= open();
  const { port, flag } = channel;
  // An answer left over from a request that timed out belongs to nobody.
  while (receiveMessageOnPort(port) !== undefined);
  Atomics.store(flag, 0, 0);
  port.postMessage({ method, url, body: body === undefined ? undefined : JSON.stringify(body) });
  if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
    return { error: `no answer within ${timeoutMs} ms` };
  }
  const received = receiveMessageOnPort(port);
  if (received === undefined) return { error: 'the request worker gave no answer' };
  return received.message as SyncReply;
}
