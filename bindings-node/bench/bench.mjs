// Throughput of the SDK beside the same raw requests made with Node's built-in fetch
// (undici), both against one release-built emulator process, at concurrency 64.
//
//   bash scripts/node-bench.sh            (builds everything in release, then runs this)
//   node bench/bench.mjs --emulator PATH  [--seconds 3] [--rounds 3] [--concurrency 64]
//
// It prints figures; it asserts nothing about speed.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { Client, TEST_CARDS } from 'dintero-checkout';

const { values: args } = parseArgs({
  options: {
    emulator: { type: 'string' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
  },
});
if (!args.emulator) throw new Error('--emulator PATH is required (the release dintero-emulator binary)');
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);

// --- the emulator, as its own process ------------------------------------------------------
const child = spawn(args.emulator, ['--listen', '127.0.0.1:0', '--quiet', '--callback-retry-ms', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
const info = await new Promise((resolve, reject) => {
  const values = {};
  const timer = setTimeout(() => reject(new Error('the emulator did not start')), 10_000);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
    if (values.base_url && values.client_secret) {
      clearTimeout(timer);
      resolve(values);
    }
  });
});
const BASE = info.base_url;
const ACCOUNT = info.account_id;

function sessionBody(ref) {
  return {
    url: { return_url: 'https://shop.example/return' },
    order: {
      amount: 33890,
      currency: 'NOK',
      merchant_reference: ref,
      items: [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 }],
      shipping_option: { id: 'pickup', line_id: 'ship', amount: 3900, vat: 25, vat_amount: 780, title: 'Pick-up', operator: '' },
    },
    profile_id: 'default',
  };
}

async function pay(sessionId) {
  const res = await fetch(`${BASE}/_emulator/sessions/${sessionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: TEST_CARDS.approve }), // the catalog's approving card
  });
  if (!res.ok) throw new Error(`pay: HTTP ${res.status}`);
  return (await res.json()).transaction_id;
}

// --- the SDK --------------------------------------------------------------------------------
const client = new Client({ accountId: ACCOUNT, clientId: info.client_id, clientSecret: info.client_secret, baseUrl: BASE });
await client.authenticate();

// --- raw fetch: the same requests by hand ---------------------------------------------------
const basic = Buffer.from(`${info.client_id}:${info.client_secret}`).toString('base64');
const tokenRes = await fetch(`${BASE}/v1/accounts/${ACCOUNT}/auth/token`, {
  method: 'POST',
  headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
  body: JSON.stringify({ grant_type: 'client_credentials', audience: `${BASE}/v1/accounts/${ACCOUNT}` }),
});
const token = (await tokenRes.json()).access_token;
const auth = { authorization: `Bearer ${token}` };
const jsonHeaders = { ...auth, 'content-type': 'application/json' };

async function raw(method, path, body, extra = {}) {
  const res = await fetch(BASE + path, {
    method,
    headers: body === undefined ? { ...auth, ...extra } : { ...jsonHeaders, ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return value;
}

// --- workloads ------------------------------------------------------------------------------
const seedIds = [];
for (let i = 0; i < 16; i += 1) {
  const s = await client.sessions.create(sessionBody(`bench-seed-${i}`));
  seedIds.push(await pay(s.id));
}

let counter = 0;
const workloads = {
  'transactions.get': {
    sdk: async (i) => {
      const tx = await client.transactions.get(seedIds[i % seedIds.length]);
      if (!tx.id) throw new Error('no id');
    },
    fetch: async (i) => {
      const tx = await raw('GET', `/v1/transactions/${seedIds[i % seedIds.length]}`);
      if (!tx.id) throw new Error('no id');
    },
  },
  'full flow': {
    // create session, pay (emulator control call, the same in both), get, capture, refund
    sdk: async () => {
      const ref = `bench-${(counter += 1)}`;
      const s = await client.sessions.create(sessionBody(ref));
      const id = await pay(s.id);
      const tx = await client.transactions.get(id);
      await client.transactions.capture(tx.id, { amount: tx.amount, capture_reference: `${ref}-c` });
      await client.transactions.refund(tx.id, { amount: 3900, refund_reference: `${ref}-r` });
    },
    fetch: async () => {
      const ref = `bench-${(counter += 1)}`;
      const s = await raw('POST', '/v1/sessions-profile', sessionBody(ref), { 'dintero-feature-toggles': 'strict-session-amounts' });
      const id = await pay(s.id);
      const tx = await raw('GET', `/v1/transactions/${id}`);
      await raw('POST', `/v1/transactions/${tx.id}/capture`, { amount: tx.amount, capture_reference: `${ref}-c` });
      await raw('POST', `/v1/transactions/${tx.id}/refund`, { amount: 3900, refund_reference: `${ref}-r` });
    },
  },
};

async function run(fn, seconds) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      await fn((next += 1));
      done += 1;
    }
  });
  const started = performance.now();
  await Promise.all(workers);
  return done / ((performance.now() - started) / 1000);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log(`node ${process.version}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${SECONDS} s each (median shown), emulator ${BASE}`);
const results = [];
for (const [name, w] of Object.entries(workloads)) {
  await run(w.sdk, 0.5); // warm up both sides
  await run(w.fetch, 0.5);
  const sdk = [];
  const raw = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    sdk.push(await run(w.sdk, SECONDS));
    raw.push(await run(w.fetch, SECONDS));
  }
  const row = { name, sdk: median(sdk), fetch: median(raw) };
  results.push(row);
  const unit = name === 'full flow' ? 'flows/s' : 'req/s';
  console.log(
    `${name.padEnd(18)} sdk ${row.sdk.toFixed(0).padStart(7)} ${unit}   fetch ${row.fetch.toFixed(0).padStart(7)} ${unit}   sdk/fetch ${(row.sdk / row.fetch).toFixed(2)}x`,
  );
}
console.log(`token requests by the SDK: ${client.tokenRequests}`);

child.kill('SIGTERM');
