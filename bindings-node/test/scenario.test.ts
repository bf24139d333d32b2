// The shared end-to-end scenario (testdata/scenario.json), interpreted: each step names an
// operation of testdata/surface.json, called by its Node name on the object it belongs to;
// `$name` is a value saved by an earlier step (or a top-level entry of the scenario); `expect`
// checks dotted paths of the result, where `captured_amount()` calls the package's function of
// that name (capturedAmount) on it; `expect_error` checks the DinteroError; `requests` checks
// the emulator's counters at the end.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import * as pkg from 'dintero-checkout';
import { Emulator } from 'dintero-checkout/testing';

import { REPO } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Step {
  op: string;
  args: Record<string, Json>;
  save?: Record<string, string>;
  expect?: Record<string, Json>;
  expect_error?: Record<string, Json>;
}

interface SurfaceOp {
  id: string;
  on: string | null;
  names: Record<string, string>;
  params?: string[];
}

const read = (file: string): unknown => JSON.parse(readFileSync(path.join(REPO, 'testdata', file), 'utf8'));
const scenario = read('scenario.json') as { steps: Step[]; requests: Record<string, number | string> } & Record<string, Json>;
const operations = (read('surface.json') as { operations: SurfaceOp[] }).operations;
const camel = (snake: string): string => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `$name` → the saved value (or the scenario's own entry), deep. */
function substitute(value: Json, saved: Map<string, Json>): Json {
  if (typeof value === 'string' && value.startsWith('$')) {
    const name = value.slice(1);
    const found = saved.has(name) ? saved.get(name) : scenario[name];
    assert.ok(found !== undefined, `${value} is saved or defined by the scenario`);
    return found;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, saved));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, saved)]));
  }
  return value;
}

/** A dotted path of a result; `name()` calls the package's function `camel(name)` on it. */
function lookup(result: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, part) => {
    if (part.endsWith('()')) {
      const fn = (pkg as unknown as Record<string, unknown>)[camel(part.slice(0, -2))];
      assert.equal(typeof fn, 'function', `the package has ${camel(part.slice(0, -2))} for ${part}`);
      return (fn as (v: unknown) => unknown)(value);
    }
    return value === null || value === undefined ? undefined : (value as Record<string, unknown>)[part];
  }, result);
}

describe('the shared scenario (testdata/scenario.json)', () => {
  let emu: Emulator;
  let client: pkg.Client;

  before(async () => {
    emu = await Emulator.start();
    client = emu.client();
  });
  after(async () => {
    await emu.shutdown();
  });

  /** Calls a step's operation the way a merchant's code would. */
  function call(step: Step, args: Record<string, Json>): Promise<unknown> {
    if (step.op === 'emulator.pay') return emu.pay(String(args.session_id), String(args.card));
    const op = operations.find((o) => o.id === step.op);
    assert.ok(op?.names.node, `${step.op} is an operation with a Node name in surface.json`);
    const holders: Record<string, unknown> = { Client: client, Sessions: client.sessions, Transactions: client.transactions, Callbacks: client.callbacks };
    const target = holders[op.on ?? ''] as Record<string, (...a: unknown[]) => Promise<unknown>>;
    assert.ok(target, `${step.op} is on a client object`);
    // Required parameters go in order; optional ones, by their camelCase name, in the options object.
    const params = op.params ?? [];
    const positional = params.filter((p) => !p.endsWith('?')).map((p) => args[p]);
    const optional = Object.fromEntries(params.filter((p) => p.endsWith('?') && p.slice(0, -1) in args).map((p) => [camel(p.slice(0, -1)), args[p.slice(0, -1)]]));
    for (const key of Object.keys(args)) assert.ok(params.includes(key) || params.includes(`${key}?`), `${step.op} has a parameter ${key}`);
    return target[op.names.node]!.call(target, ...positional, ...(Object.keys(optional).length ? [optional] : []));
  }

  it('carries a whole payment through, step by step', async () => {
    const saved = new Map<string, Json>([['session_request', scenario.session_request as Json]]);
    for (const [i, step] of scenario.steps.entries()) {
      const where = `step ${i + 1} (${step.op})`;
      const args = substitute(step.args, saved) as Record<string, Json>;
      if (step.expect_error) {
        const error = await call(step, args).then(
          () => assert.fail(`${where} succeeded; it must fail`),
          (e: unknown) => e,
        );
        assert.ok(error instanceof pkg.DinteroError, `${where}: a DinteroError (${String(error)})`);
        for (const [field, value] of Object.entries(step.expect_error)) {
          assert.deepEqual((error as unknown as Record<string, unknown>)[camel(field)], value, `${where}: error.${field}`);
        }
        continue;
      }
      const result = await call(step, args);
      for (const [name, dotted] of Object.entries(step.save ?? {})) saved.set(name, lookup(result, dotted) as Json);
      for (const [dotted, want] of Object.entries(step.expect ?? {})) {
        const got = lookup(result, dotted);
        if (want === '<present>') assert.ok(got !== undefined && got !== null && got !== '', `${where}: ${dotted} is present`);
        else assert.deepEqual(got, substitute(want, saved), `${where}: ${dotted}`);
      }
    }
    for (const [route, count] of Object.entries(scenario.requests)) {
      if (route === 'about') continue;
      assert.equal(emu.requestCount(route), count, `requests to ${route}`);
    }
  });
});
