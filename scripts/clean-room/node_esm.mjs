// Clean room, ES modules: import the installed package and talk to the emulator that
// `npx dintero-emulator` started (its base URL and credentials in DINTERO_* variables).
import assert from 'node:assert/strict';

import { Client, defaults, ERROR_KINDS } from 'dintero-checkout';

const env = process.env;
const client = new Client({ accountId: env.DINTERO_ACCOUNT_ID, clientId: env.DINTERO_CLIENT_ID, clientSecret: env.DINTERO_CLIENT_SECRET, baseUrl: env.DINTERO_BASE_URL });
const session = await client.sessions.create({
  url: { return_url: 'https://shop.example/return' },
  order: { amount: 5000, currency: 'NOK', merchant_reference: 'clean-esm', items: [] },
  profile_id: 'default',
});
assert.equal((await client.sessions.get(session.id)).id, session.id);
assert.ok(ERROR_KINDS.includes('network'));
assert.ok(defaults().retry_max_attempts > 0);
console.log(`esm: session ${session.id} created and read back`);
