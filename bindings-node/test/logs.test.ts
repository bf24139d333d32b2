// Logs through the `logger` option and request events through `onRequest`, against the
// emulator over real HTTP. A whole flow with faults (a 503 then success, a capture cut after it
// was applied and then reconciled, an expired token refused and fetched again) is captured at
// debug and searched for every secret the emulator issued.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LogFields, Logger, RequestEvent } from 'dintero-checkout';
import { Emulator } from 'dintero-checkout/testing';

import { FAST_RETRY, paidTransaction, reference, sessionRequest } from './helpers.js';

// Every access token the emulator issues is a JWT with this header: finding it anywhere means
// a token leaked, whichever token it was.
const JWT_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT","kid":"emulator"}').toString('base64url');

interface Line {
  level: 'debug' | 'info' | 'warn';
  message: string;
  fields: LogFields;
}

function recorder(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (message: string, fields: LogFields) => {
    lines.push({ level, message, fields });
  };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn') }, lines };
}

/** Log lines and events reach JS on their own queue: let it drain. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

async function rawToken(emu: Emulator): Promise<string> {
  const res = await fetch(`${emu.baseUrl}/v1/accounts/${emu.accountId}/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${emu.clientId}:${emu.clientSecret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ grant_type: 'client_credentials', audience: `${emu.baseUrl}/v1/accounts/${emu.accountId}` }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('logs and request observers', () => {
  let emu: Emulator;
  before(async () => {
    emu = await Emulator.start();
  });
  after(async () => {
    await emu.shutdown();
  });

  it('a whole flow with faults is logged, structured, without a secret', async () => {
    const token = await rawToken(emu);
    assert.ok(token.startsWith(`${JWT_HEADER}.`));
    const { logger, lines } = recorder();
    const client = emu.client({ retry: FAST_RETRY, logger });
    const tx = await paidTransaction(emu, client, reference('node-logs'));
    emu.injectFault({ route: 'get_transaction', fault: 'status_503' });
    await client.transactions.get(tx);
    emu.injectFault({ route: 'capture', fault: 'reset_after_apply' });
    const op = await client.transactions.capture(tx, { amount: 1000, capture_reference: 'cap-node-logs' });
    assert.equal(op.reconciled, true);
    emu.advanceClock(14400 + 60);
    await client.transactions.get(tx);
    await settle();

    const text = lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n');
    const gets = lines.filter(
      (l) => l.level === 'debug' && l.fields.method === 'GET' && l.fields.path === `/v1/transactions/${tx}`,
    );
    assert.ok(gets.some((l) => l.fields.status === 503 && l.fields.attempt === 1), text);
    assert.ok(gets.some((l) => l.fields.status === 200 && l.fields.attempt === 2), text);
    for (const l of lines.filter((l) => l.fields.event === 'request')) {
      assert.equal(typeof l.fields.duration_ms, 'number', text);
      assert.ok(l.fields.request_id, text);
      for (const name of ['method', 'path', 'status', 'attempt', 'duration_ms', 'request_id']) {
        assert.ok(l.message.includes(`${name}=${l.fields[name]}`), l.message);
      }
    }
    const info = lines.filter((l) => l.level === 'info');
    assert.ok(info.some((l) => l.message.includes('retrying')), text);
    assert.ok(info.some((l) => l.message.includes('fetching an access token')), text);
    assert.ok(info.some((l) => l.message.includes('refused (401)')), text);
    assert.ok(info.some((l) => l.message.includes('reconciled') && l.fields.reference === 'cap-node-logs'), text);
    assert.ok(client.tokenRequests >= 2);

    assert.ok(!text.includes(emu.clientSecret));
    if (emu.signatureSecret) assert.ok(!text.includes(emu.signatureSecret));
    assert.ok(!text.includes(token) && !text.includes(JWT_HEADER), 'an access token reached the logs');
    assert.ok(!text.toLowerCase().includes('bearer'));
  });

  it('logLevel keeps lower records from being built', async () => {
    const { logger, lines } = recorder();
    const client = emu.client({ retry: FAST_RETRY, logger, logLevel: 'info' });
    const tx = await paidTransaction(emu, client, reference('node-info'));
    emu.injectFault({ route: 'get_transaction', fault: 'status_503' });
    await client.transactions.get(tx);
    await settle();
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => l.level !== 'debug'));
    assert.throws(() => emu.client({ logger, logLevel: 'trace' as 'info' }), /logLevel/);
  });

  it('an observer sees start and end of every attempt, with status and request id', async () => {
    const events: RequestEvent[] = [];
    const client = emu.client({ retry: FAST_RETRY, onRequest: (e) => events.push(e) });
    const tx = await paidTransaction(emu, client, reference('node-observed'));
    await settle();
    events.length = 0;
    emu.injectFault({ route: 'get_transaction', fault: 'status_503' });
    const read = await client.transactions.get(tx);
    await settle();
    assert.deepEqual(
      events.map((e) => [e.phase, e.attempt, e.status ?? null]),
      [
        ['start', 1, null],
        ['end', 1, 503],
        ['start', 2, null],
        ['end', 2, 200],
      ],
    );
    assert.ok(events.every((e) => e.method === 'GET' && e.path === `/v1/transactions/${tx}`));
    assert.equal(events[1]!.error_kind, 'server');
    assert.ok(events[3]!.request_id && events[3]!.request_id === read.request_id);
  });

  it('a throwing observer never breaks the request, and is logged at warn', async () => {
    const { logger, lines } = recorder();
    const client = emu.client({
      retry: FAST_RETRY,
      logger,
      logLevel: 'warn',
      onRequest: () => {
        throw new TypeError('observer bug');
      },
    });
    const created = await client.sessions.create(sessionRequest(reference('node-broken')));
    assert.ok(created.id);
    await settle();
    assert.ok(lines.some((l) => l.level === 'warn' && l.message.includes('onRequest observer threw TypeError')));
  });

  it('every value from an answer carries its request id', async () => {
    const ends: RequestEvent[] = [];
    const client = emu.client({ retry: FAST_RETRY, onRequest: (e) => e.phase === 'end' && ends.push(e) });
    const last = async (): Promise<string> => {
      await settle();
      const id = ends[ends.length - 1]?.request_id;
      assert.ok(id);
      return id;
    };
    const created = await client.sessions.create(sessionRequest(reference('node-ids')));
    assert.equal(created.request_id, await last());
    const session = await client.sessions.get(created.id);
    assert.equal(session.request_id, await last());
    const paid = await emu.pay(created.id);
    const tx = paid.transaction_id!;
    const read = await client.transactions.get(tx);
    assert.equal(read.request_id, await last());
    const pages = client.transactions.list({ limit: 5 }).pages();
    const page = (await pages.next()).value as Array<{ request_id?: string | null }>;
    const pageId = await last();
    assert.ok(page.length > 0 && page.every((t) => t.request_id === pageId));
    const op = await client.transactions.capture(tx, { amount: 33890 });
    const opId = await last();
    assert.equal(op.request_id, opId);
    assert.equal(op.transaction.request_id, opId);
    assert.equal(new Set([created.request_id, session.request_id, read.request_id, op.request_id]).size, 4);
  });
});
