// The package as a user meets it: entry points (require and import), the testing entry,
// the version, and public type declarations without `any`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import * as pkg from 'dintero-checkout';
import * as testing from 'dintero-checkout/testing';

const ROOT = path.resolve(__dirname, '..', '..');

describe('package', () => {
  it('exports the documented surface', () => {
    for (const name of ['Client', 'DinteroError', 'EmulatorError', 'CallbackVerifier', 'Emulator', 'parseCallback', 'parseReturnUrl', 'requestUrl', 'computeSignature', 'verifyWebhook', 'validateOrder', 'validateSessionRequest', 'isPaid', 'defaults', 'ERROR_KINDS', 'TEST_CARDS', 'VERSION']) {
      assert.ok(name in pkg, `${name} is exported`);
    }
    assert.equal(testing.Emulator, pkg.Emulator);
    // The test cards are the emulator's catalog, by name.
    assert.deepEqual(Object.keys(pkg.TEST_CARDS), testing.CATALOG.cards.map((c) => c.name));
    assert.equal(pkg.TEST_CARDS.approve, '4000000000000002');
    assert.ok(testing.CATALOG.faults.some((f) => f.name === 'status_403'));
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(pkg.VERSION, manifest.version, 'the crate and package.json versions agree');
  });

  it('works with import (ESM) and require (CommonJS)', () => {
    const esm = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { Client, DinteroError } from 'dintero-checkout'; import { Emulator } from 'dintero-checkout/testing'; console.log(typeof Client, typeof DinteroError, typeof Emulator)"],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(esm.trim(), 'function function function');
    const cjs = execFileSync(process.execPath, ['-e', "const { Client } = require('dintero-checkout'); console.log(typeof Client)"], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(cjs.trim(), 'function');
  });

  it('loads without an emulator, and says which package to install', () => {
    // No DINTERO_EMULATOR_BIN, no dintero-emulator package here, a PATH with node only.
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: path.dirname(process.execPath) };
    delete env.DINTERO_EMULATOR_BIN;
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const { Client, Emulator, TEST_CARDS } = require('dintero-checkout');
         console.log(typeof Client);
         try { TEST_CARDS.approve } catch (e) { console.log(e.reason) }
         Emulator.start().catch((e) => console.log(e.name, e.reason, /npm install --save-dev dintero-emulator/.test(e.message)));`,
      ],
      { cwd: ROOT, encoding: 'utf8', env },
    );
    assert.equal(out.trim(), 'function\nnot_installed\nEmulatorError not_installed true');
  });

  it('DinteroError is a real class', () => {
    const e = new pkg.DinteroError('no such thing', { kind: 'not_found', status: 404, code: 'NOT_FOUND', requestId: 'r-1' });
    assert.ok(e instanceof Error);
    assert.ok(e instanceof pkg.DinteroError);
    assert.equal(e.name, 'DinteroError');
    assert.equal(String(e), 'DinteroError: no such thing');
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      name: 'DinteroError',
      kind: 'not_found',
      message: 'no such thing',
      status: 404,
      code: 'NOT_FOUND',
      requestId: 'r-1',
      outcomeUnknown: false,
      isTransient: false,
      isAuthenticButLate: false,
    });
    const unknown = new pkg.DinteroError('cut', { kind: 'network', reference: 'ref-1', outcomeUnknown: true });
    assert.equal(unknown.reference, 'ref-1');
    assert.equal(unknown.outcomeUnknown, true);
    assert.equal(JSON.parse(JSON.stringify(unknown)).reference, 'ref-1');
    assert.ok(e.stack?.includes('package.test'));
  });

  it('ships every file its declarations import', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const declarations = readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8');
    const imports = [...declarations.matchAll(/from '\.\/([^']+)'/g)].map((m) => `${m[1]}.ts`);
    assert.deepEqual(imports, ['ts/models.ts'], 'index.d.ts imports the generated models only');
    for (const file of imports) assert.ok(manifest.files.includes(file), `package.json files lists ${file}`);
  });

  it('has no `any` in its public type declarations', () => {
    const files = [path.join(ROOT, 'index.d.ts'), ...readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.d.ts')).map((f) => path.join(ROOT, 'dist', f))];
    assert.ok(files.length >= 6);
    for (const file of files) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      assert.ok(!/\bany\b/.test(code), `${path.basename(file)} uses any`);
    }
  });
});
