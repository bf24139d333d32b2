// Every error kind as a DinteroError, input refused before any request, panics as JS errors,
// and no secret in inspect, JSON or messages.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';

import {
  CallbackVerifier,
  Client,
  DinteroError,
  computeSignature,
  ERROR_KINDS,
  Emulator,
  EmulatorError,
  validateOrder,
  validateSessionRequest,
  type ErrorKind,
} from 'dintero-checkout';

import { FAST_RETRY, paidTransaction, sessionRequest } from './helpers.js';

const SECRET = 'super-secret-value-that-must-not-leak';

function isKind(kind: ErrorKind, extra?: (e: DinteroError) => void) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DinteroError, `expected a DinteroError, got ${inspect(e)}`);
    assert.ok(e instanceof Error);
    assert.equal(e.kind, kind, `kind of ${e.message}`);
    assert.equal(e.name, 'DinteroError');
    assert.ok(!e.message.includes(SECRET), 'no secret in the message');
    extra?.(e);
    return true;
  };
}

/** A loopback URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

describe('errors', () => {
  let h: Emulator;
  let client: Client;

  before(async () => {
    h = await Emulator.start();
    client = h.client({ retry: FAST_RETRY });
  });
  after(async () => {
    await h.shutdown();
  });

  it('exports every kind, the same list as the core', () => {
    assert.deepEqual([...ERROR_KINDS], [
      'invalid_input',
      'authentication',
      'permission',
      'not_found',
      'conflict',
      'rate_limited',
      'server',
      'network',
      'timeout',
      'decode',
      'signature',
    ]);
  });

  it('invalid_input: bad client options, naming the option', () => {
    const base = { accountId: 'T12345678', clientId: 'id', clientSecret: SECRET };
    assert.throws(() => new Client({ ...base, accountId: 'X1' }), isKind('invalid_input', (e) => assert.match(e.message, /account_id/)));
    assert.throws(() => new Client({ ...base, clientSecret: 42 as unknown as string }), isKind('invalid_input', (e) => {
      assert.match(e.message, /options\.clientSecret: invalid type: integer, expected a string/);
      assert.ok(!e.message.includes('42'));
    }));
    assert.throws(() => new Client({ ...base, clientSecret: '' }), isKind('invalid_input'));
    assert.throws(() => new Client({ ...base, baseUrl: 'http://example.com' }), isKind('invalid_input', (e) => assert.match(e.message, /loopback/)));
    assert.throws(() => new Client({ ...base, timeoutMs: -1 }), isKind('invalid_input', (e) => assert.match(e.message, /timeoutMs/)));
    assert.throws(() => new Client({ ...base, timeoutMs: Number.NaN }), isKind('invalid_input'));
    assert.throws(() => new Client({ ...base, retry: { maxAttempts: 0 } }), isKind('invalid_input', (e) => assert.match(e.message, /max_attempts/)));
    assert.throws(() => new Client({ ...base, clientSecrt: 'typo' } as unknown as ConstructorParameters<typeof Client>[0]), isKind('invalid_input', (e) => assert.match(e.message, /clientSecrt/)));
    assert.throws(() => new Client(null as unknown as ConstructorParameters<typeof Client>[0]), isKind('invalid_input'));
    assert.throws(() => new Client({ ...base, timeoutMs: 10n as unknown as number }), isKind('invalid_input', (e) => assert.match(e.message, /options\.timeoutMs: cannot be sent/)));
  });

  it('invalid_input: bad payloads are refused before any request, naming the field', async () => {
    const before = await h.requestCount('create_session');
    const bad = sessionRequest();
    bad.order.amount = 100;
    await assert.rejects(client.sessions.create(bad), isKind('invalid_input', (e) => assert.match(e.message, /order\.amount/)));

    const dup = sessionRequest();
    dup.order.items = [
      { line_id: 'ship', amount: 29990 },
    ];
    await assert.rejects(client.sessions.create(dup), isKind('invalid_input', (e) => assert.match(e.message, /line_id/)));

    const wrongType = sessionRequest() as unknown as { order: { amount: unknown } };
    wrongType.order.amount = '33890';
    await assert.rejects(client.sessions.create(wrongType as never), isKind('invalid_input', (e) => assert.match(e.message, /session\.order\.amount/)));

    await assert.rejects(client.sessions.create(null as never), isKind('invalid_input'));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(client.sessions.create(cyclic as never), isKind('invalid_input', (e) => assert.match(e.message, /session\.self\.self.*nested too deeply/)));
    await assert.rejects(client.sessions.create({ ...sessionRequest(), expires_at: new Date() } as never), isKind('invalid_input', (e) => assert.match(e.message, /session\.expires_at: is a Date/)));
    await assert.rejects(client.sessions.create({ ...sessionRequest(), metadata: () => 1 } as never), isKind('invalid_input', (e) => assert.match(e.message, /session\.metadata: cannot be sent/)));
    assert.equal(await h.requestCount('create_session'), before, 'nothing was sent');

    await assert.rejects(client.transactions.get('../../etc'), isKind('invalid_input', (e) => assert.match(e.message, /transaction_id/)));
    await assert.rejects(client.transactions.get(42 as unknown as string), isKind('invalid_input'));
    await assert.rejects(client.transactions.capture('T12345678.abc', { amount: 0 }), isKind('invalid_input', (e) => assert.match(e.message, /capture\.amount/)));
    await assert.rejects(
      client.transactions.capture('T12345678.abc', { amount: 100, items: [{ line_id: '1', amount: 50 }] }),
      isKind('invalid_input', (e) => assert.match(e.message, /sum of its items/)),
    );
    await assert.rejects(client.transactions.refund('T12345678.abc', { amount: -5 }), isKind('invalid_input'));
    await assert.rejects(client.transactions.extendAuthorization('T12345678.abc', { amount: 'x' as unknown as number }), isKind('invalid_input', (e) => assert.match(e.message, /authorization\.amount/)));
    await assert.rejects(client.transactions.update('T12345678.abc', {} as never), isKind('invalid_input', (e) => assert.match(e.message, /merchant_reference_2/)));
    assert.equal(await h.requestCount('capture'), 0);
    assert.equal(await h.requestCount('refund'), 0);
  });

  it('invalid_input: every conversion error names the parameter', async () => {
    const id = await paidTransaction(h, client);
    const named = (name: string | RegExp) =>
      isKind('invalid_input', (e) => assert.ok(typeof name === 'string' ? e.message.includes(name) : name.test(e.message), `${name} in ${e.message}`));
    await assert.rejects(client.transactions.extendAuthorization(id, { amount: 1.5 }), named('amount'));
    await assert.rejects(client.transactions.capture(id, { amount: 100, items: 5 as never }), named('items'));
    await assert.rejects(client.transactions.capture(id, { amount: 1.5 }), named('amount'));
    await assert.rejects(client.transactions.capture(id, { amount: '100' as never }), named('amount'));
    await assert.rejects(client.transactions.list({ limit: -1 }).toArray(), named('limit'));
    await assert.rejects(client.transactions.list({ limit: 2.5 }).toArray(), named('limit'));
    await assert.rejects(client.transactions.list({ limit: 'ten' as never }).toArray(), named('limit'));
    await assert.rejects(client.transactions.get(id, { includes: 'session' as never }), named('includes'));
    await assert.rejects(client.transactions.void(null as never), named('transaction_id'));
    await assert.rejects(client.sessions.get(5 as never), named('session_id'));
    const base = { accountId: 'T12345678', clientId: 'id', clientSecret: SECRET };
    assert.throws(() => new Client({ ...base, retry: { maxAttempts: -1 } }), named(/max_?attempts/i));
    assert.throws(() => new Client({ ...base, retry: { maxAttempts: 1.5 } }), named(/max_?attempts/i));
    assert.throws(() => new Client({ ...base, retry: { maxAttempts: '3' as never } }), named(/max_?attempts/i));
    assert.equal(await h.requestCount('capture'), 0);
  });

  it('invalid_input: a request Dintero refuses (HTTP 400) keeps status and code', async () => {
    const id = await paidTransaction(h, client);
    await assert.rejects(
      client.transactions.capture(id, { amount: 99999 }),
      isKind('invalid_input', (e) => {
        assert.equal(e.status, 400);
        assert.ok(e.code, 'Dintero error code is kept');
        assert.ok(e.requestId, 'request id is kept');
        assert.equal(e.isTransient, false);
      }),
    );
  });

  it('validateOrder and validateSessionRequest name the line', () => {
    const order = sessionRequest().order;
    validateOrder(order);
    validateSessionRequest(sessionRequest());
    // A vat_amount off the rate is only logged (Dintero accepts it); a line without amount is refused.
    order.items = [{ line_id: '1', amount: 29990, vat: 25, vat_amount: 1 }];
    order.amount = 29990 + 3900;
    validateOrder(order);
    order.items = [{ line_id: '1', vat: 25 }];
    assert.throws(() => validateOrder(order), isKind('invalid_input', (e) => assert.match(e.message, /order\.items\[0\]\.amount/)));
    const noProfile = sessionRequest();
    delete noProfile.profile_id;
    assert.throws(() => validateSessionRequest(noProfile), isKind('invalid_input', (e) => assert.match(e.message, /configuration/)));
  });

  it('authentication: wrong credentials (HTTP 401)', async () => {
    const bad = h.client({ clientSecret: SECRET, retry: FAST_RETRY });
    await assert.rejects(bad.transactions.get('T12345678.abc'), isKind('authentication', (e) => assert.equal(e.status, 401)));
    assert.ok(!inspect(bad).includes(SECRET));
  });

  it('permission: HTTP 403', async () => {
    const c = h.client({ retry: FAST_RETRY });
    h.injectFault({ route: 'get_transaction', fault: 'status_403' });
    await assert.rejects(
      c.transactions.get('T12345678.abc'),
      isKind('permission', (e) => {
        assert.equal(e.status, 403);
        assert.equal(e.isTransient, false);
        assert.ok(e.requestId);
      }),
    );
  });

  it('not_found: HTTP 404 with status, code and request id', async () => {
    await assert.rejects(
      client.transactions.get('T12345678.doesnotexist'),
      isKind('not_found', (e) => {
        assert.equal(e.status, 404);
        assert.equal(e.code, 'NOT_FOUND');
        assert.ok(e.requestId);
      }),
    );
    await assert.rejects(client.sessions.get('T12345678.nosuchsession'), isKind('not_found'));
  });

  it('conflict: HTTP 409', async () => {
    const id = await paidTransaction(h, client);
    await client.transactions.void(id);
    await assert.rejects(client.transactions.extendAuthorization(id, { reason: 'too late' }), isKind('conflict', (e) => assert.equal(e.status, 409)));
  });

  it('rate_limited: HTTP 429 after the retries', async () => {
    const c = h.client({ retry: { ...FAST_RETRY, maxAttempts: 2 } });
    h.injectFault({ route: 'get_transaction', fault: 'status_429', times: 2, retry_after: 0 });
    await assert.rejects(c.transactions.get('T12345678.abc'), isKind('rate_limited', (e) => {
      assert.equal(e.status, 429);
      assert.equal(e.isTransient, true);
    }));
  });

  it('server: HTTP 503 after the retries', async () => {
    const c = h.client({ retry: { ...FAST_RETRY, maxAttempts: 2 } });
    h.injectFault({ route: 'get_transaction', fault: 'status_503', times: 2 });
    await assert.rejects(c.transactions.get('T12345678.abc'), isKind('server', (e) => assert.equal(e.status, 503)));
  });

  it('network: nothing listens', async () => {
    const url = await deadUrl();
    const c = new Client({ accountId: 'T12345678', clientId: 'id', clientSecret: SECRET, baseUrl: url, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    await assert.rejects(c.transactions.get('T12345678.abc'), isKind('network', (e) => {
      assert.equal(e.status, undefined);
      assert.equal(e.isTransient, true);
    }));
  });

  it('timeout: a slow answer', async () => {
    const c = h.client({ timeoutMs: 100, retry: { ...FAST_RETRY, maxAttempts: 1 } });
    await c.authenticate();
    h.injectFault({ route: 'get_transaction', fault: 'delay', ms: 1000 });
    await assert.rejects(c.transactions.get('T12345678.abc'), isKind('timeout'));
  });

  it('decode: a 200 with a body that is not JSON', async () => {
    const id = await paidTransaction(h, client);
    const c = h.client({ retry: { ...FAST_RETRY, maxAttempts: 1 } });
    h.injectFault({ route: 'get_transaction', fault: 'malformed_json' });
    await assert.rejects(c.transactions.get(id), isKind('decode', (e) => assert.equal(e.status, 200)));
  });

  it('signature: a forged or stale callback', () => {
    const verifier = new CallbackVerifier(SECRET, 'T12345678');
    const url = 'https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1';
    assert.throws(() => verifier.verify('GET', url, {}), isKind('signature', (e) => assert.match(e.message, /missing/)));
    assert.throws(
      () => verifier.verify('GET', url, { 'dintero-signature': `t=${Math.floor(Date.now() / 1000)},v0-hmac-sha256=00` }),
      isKind('signature', (e) => assert.match(e.message, /does not match/)),
    );
    // The signature is checked before the age: an old forged one is forged, an old authentic one is late.
    assert.throws(
      () => verifier.verify('GET', url, { 'Dintero-Signature': 't=1000,v0-hmac-sha256=00' }),
      isKind('signature', (e) => assert.equal(e.code, 'signature_mismatch')),
    );
    const old = computeSignature(SECRET, 'T12345678', 'GET', url, 1000);
    assert.throws(
      () => verifier.verify('GET', url, { 'Dintero-Signature': `t=1000,v0-hmac-sha256=${old}` }),
      isKind('signature', (e) => {
        assert.match(e.message, /old/);
        assert.equal(e.code, 'signature_expired');
        assert.equal(e.isAuthenticButLate, true);
      }),
    );
  });

  it('a Rust panic is a JS error, in sync and async exports, and the process lives on', async () => {
    // The hooks exist only for this test; they are not part of the public API.
    const native = require('../../index.js') as { __panicForTestsSync(): void; __panicForTestsAsync(): Promise<void> };
    assert.throws(() => native.__panicForTestsSync(), (e: unknown) => e instanceof Error && /deliberate panic \(sync\)/.test(e.message));
    await assert.rejects(native.__panicForTestsAsync(), (e: unknown) => e instanceof Error && /deliberate panic \(async\)/.test(e.message));
    // Still alive and working.
    const tx = await client.transactions.get(await paidTransaction(h, client));
    assert.equal(tx.status, 'AUTHORIZED');
  });

  it('no secret in inspect, JSON.stringify or errors', async () => {
    const c = new Client({ accountId: 'T12345678', clientId: 'my-client', clientSecret: SECRET, baseUrl: h.baseUrl, retry: FAST_RETRY });
    for (const shown of [
      inspect(c),
      inspect(c, { showHidden: true, depth: 10 }),
      JSON.stringify(c),
      inspect(c.sessions, { showHidden: true }),
      inspect(c.transactions, { showHidden: true }),
      inspect(c.callbacks, { showHidden: true }),
      String(c),
      inspect(Object.getOwnPropertyDescriptors(c), { showHidden: true, depth: 10 }),
    ]) {
      assert.ok(!shown.includes(SECRET), `secret leaked in: ${shown}`);
    }
    assert.match(inspect(c), /accountId: 'T12345678'/);
    assert.match(inspect(c), /clientSecret: '\[redacted\]'/);
    assert.deepEqual(JSON.parse(JSON.stringify(c)), { accountId: 'T12345678', clientId: 'my-client', baseUrl: h.baseUrl });

    const failure = await c.transactions.get('T12345678.abc').catch((e: unknown) => e);
    assert.ok(failure instanceof DinteroError);
    for (const shown of [failure.message, failure.stack ?? '', inspect(failure), JSON.stringify(failure)]) {
      assert.ok(!shown.includes(SECRET), `secret leaked in: ${shown}`);
    }

    const verifier = new CallbackVerifier(SECRET, 'T12345678');
    assert.ok(!inspect(verifier, { showHidden: true }).includes(SECRET));
    assert.ok(!JSON.stringify(verifier).includes(SECRET));
    const url = 'https://shop.example/cb?transaction_id=T12345678.abc';
    const forged = (() => {
      try {
        verifier.verify('GET', url, { 'dintero-signature': `t=${Math.floor(Date.now() / 1000)},v0-hmac-sha256=00` });
      } catch (e) {
        return e;
      }
      return assert.fail('a forged callback must not verify');
    })();
    assert.ok(forged instanceof DinteroError && forged.kind === 'signature');
    for (const shown of [forged.message, forged.stack ?? '', inspect(forged, { showHidden: true, depth: 10 }), JSON.stringify(forged)]) {
      assert.ok(!shown.includes(SECRET), `secret leaked in: ${shown}`);
    }
    const badOptions = (() => {
      try {
        return new Client({ accountId: 'nope', clientId: 'id', clientSecret: SECRET });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(badOptions instanceof DinteroError);
    assert.ok(!inspect(badOptions, { showHidden: true, depth: 10 }).includes(SECRET));

    const emu = await Emulator.start({ clientSecret: SECRET, signatureSecret: SECRET });
    try {
      assert.ok(!inspect(emu, { showHidden: true }).includes(SECRET));
      assert.ok(!JSON.stringify(emu).includes(SECRET));
    } finally {
      await emu.shutdown();
    }
  });

  it('emulator control errors are EmulatorErrors', async () => {
    const emu = await Emulator.start();
    try {
      await assert.rejects(emu.pay('T12345678.nosuchsession'), (e: unknown) => e instanceof EmulatorError && e.reason === 'not_found');
      assert.throws(
        () => emu.injectFault({ route: 'nowhere' as never, fault: 'status_503' }),
        (e: unknown) => e instanceof EmulatorError && e.reason === 'invalid_fault',
      );
    } finally {
      await emu.shutdown();
    }
    assert.throws(() => emu.callbacks(), (e: unknown) => e instanceof EmulatorError && e.reason === 'shut_down');
    await assert.rejects(Emulator.start({ port: -1 }), isKind('invalid_input'));
  });
});
