// The package's public surface against the parity file (testdata/surface.json): every type
// and operation with a Node name exists where it should, with the number of parameters the
// file gives it, the defaults it names exist in `defaults()`, and the error kinds and fields
// are the ones DinteroError carries. A name missing here is a failure, not a skip.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import * as pkg from 'dintero-checkout';

import { REPO } from './helpers.js';

interface Operation {
  id: string;
  on: string | null;
  names: Record<string, string>;
  params?: string[];
  defaults?: Record<string, string>;
}

interface Surface {
  types: Record<string, Record<string, string>>;
  error_fields: Record<string, Record<string, string> | string>;
  error_kinds: string[];
  operations: Operation[];
}

const surface = JSON.parse(readFileSync(path.join(REPO, 'testdata', 'surface.json'), 'utf8')) as Surface;
const models = readFileSync(path.join(REPO, 'bindings-node', 'ts', 'models.ts'), 'utf8');
const exported = pkg as unknown as Record<string, unknown>;

// Where Node deliberately takes a different number of arguments than the parity file lists,
// and why (the parity file records the parameters; Node groups some of them).
const NODE_ARITY: Record<string, [number, string]> = {
  'client.new': [1, 'one ClientOptions object holds every setting'],
  'verifier.verify_request': [1, "the framework's request object carries method, path and headers"],
  'callbacks.receive': [2, "the verifier, then the framework's request object (method, path and headers)"],
};

const client = new pkg.Client({ accountId: 'T12345678', clientId: 'surface', clientSecret: 'surface-secret' });
/** The object each class of the parity file is on, in Node. */
const holders: Record<string, object> = {
  Client: client,
  Sessions: client.sessions,
  Transactions: client.transactions,
  Callbacks: client.callbacks,
  CallbackVerifier: new pkg.CallbackVerifier('surface-secret', 'T12345678'),
};

function required(op: Operation): number {
  return (op.params ?? []).filter((p) => !p.endsWith('?')).length;
}

// A function the addon exports has no JS `length`; its declaration has the parameters.
const declarations = [path.join(REPO, 'bindings-node', 'index.d.ts'), path.join(REPO, 'bindings-node', 'dist', 'callbacks.d.ts')]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** Required parameters of `export declare function name(...)` in the package's declarations. */
function declaredArity(name: string): number {
  const start = declarations.indexOf(`export declare function ${name}(`);
  assert.ok(start >= 0, `${name} is declared`);
  let depth = 0;
  let params = '';
  for (const ch of declarations.slice(start + `export declare function ${name}(`.length)) {
    if (depth === 0 && ch === ')') break;
    if ('(<[{'.includes(ch)) depth += 1;
    if (')>]}'.includes(ch)) depth -= 1;
    params += depth === 0 && ch === ',' ? '\u0000' : ch;
  }
  return params.split('\u0000').filter((p) => p.trim() !== '' && !/^\s*\w+\?/.test(p)).length;
}

describe('surface (testdata/surface.json)', () => {
  it('every type with a Node name is exported: a class, or a type generated from the core', () => {
    for (const [id, names] of Object.entries(surface.types)) {
      const name = names.node;
      if (name === undefined) continue;
      const isClass = typeof exported[name] === 'function';
      const isModel = new RegExp(`^export (interface|type) ${name}\\b`, 'm').test(models);
      assert.ok(isClass || isModel, `type ${id}: ${name} is neither an exported class nor a generated model`);
    }
  });

  for (const op of surface.operations) {
    const name = op.names.node;
    if (name === undefined) continue;
    it(`${op.id}: ${name}`, () => {
      let fn: unknown;
      let extra = 0;
      if (name.startsWith('new ')) {
        fn = exported[name.slice(4)];
        assert.equal(typeof fn, 'function', `${name.slice(4)} is an exported class`);
      } else if (op.on === null || !(op.on in holders)) {
        // A function of the module; on a model (a plain object in JS) it takes the model first.
        fn = exported[name];
        assert.equal(typeof fn, 'function', `${name} is an exported function`);
        extra = op.on === null ? 0 : 1;
      } else {
        const holder = holders[op.on] as Record<string, unknown>;
        assert.ok(name in holder, `${op.on} has ${name}`);
        fn = holder[name];
        if (typeof fn !== 'function') return; // a property or getter (sessions, tokenRequests)
      }
      const [expected, why] = NODE_ARITY[op.id] ?? [required(op) + extra, 'required parameters; optional ones go in a trailing options object'];
      const length = (fn as (...args: unknown[]) => unknown).length;
      const arity = length === 0 && op.on !== null && op.on in holders ? 0 : length || declaredArity(name);
      assert.equal(arity, expected, `${name} takes ${expected} (${why})`);
    });
  }

  it('defaults() has every default the parity file names', () => {
    const defaults = pkg.defaults() as unknown as Record<string, unknown>;
    const named = surface.operations.flatMap((op) => Object.values(op.defaults ?? {}));
    assert.ok(named.length > 0);
    for (const key of named) {
      const present = key.endsWith('*') ? Object.keys(defaults).some((k) => k.startsWith(key.slice(0, -1))) : key in defaults;
      assert.ok(present, `defaults() has ${key}`);
    }
    for (const value of Object.values(defaults)) assert.equal(typeof value, 'number');
  });

  it('error_kinds are the kinds DinteroError carries, and the generated ErrorKind type', () => {
    assert.deepEqual([...pkg.ERROR_KINDS], surface.error_kinds);
    const generated = /export type ErrorKind =([^;]*);/.exec(models)?.[1] ?? '';
    assert.deepEqual([...generated.matchAll(/\| '([a-z_]+)'/g)].map((m) => m[1]), surface.error_kinds);
  });

  it('error_fields are properties of a DinteroError the core made', () => {
    let error: unknown;
    try {
      new pkg.Client({ accountId: 'not-an-account', clientId: 'x', clientSecret: 'y' });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof pkg.DinteroError);
    for (const [id, names] of Object.entries(surface.error_fields)) {
      if (typeof names === 'string') continue; // "about"
      const name = names.node;
      assert.ok(name !== undefined && name in error, `DinteroError has ${id} as ${name}`);
    }
  });
});
