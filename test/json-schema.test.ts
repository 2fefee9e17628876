// The JSON Schema validators' saved code (ir/json-schema.ts): `npm run build`
// writes each validator as standalone code beside its module in dist/, which
// loads without ajv's compiler. It must judge as the compiled schema does,
// with the same errors, and never stand in for another schema or options.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { CONFIG_VALIDATOR } from '../gemmini/config.js';
import { getPreset } from '../gemmini/presets.js';
import { SWEEP_VALIDATOR } from '../cli/sweep-spec.js';
import { savedValidator, validatorOf, type SchemaValidator } from '../ir/json-schema.js';

// Inside the repository: the saved code requires ajv's small run-time helpers.
const out = fileURLToPath(new URL('../out', import.meta.url));
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(out, 'test-json-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The validator as the build saves it, loaded from a file of its own. */
function saved(v: SchemaValidator, name: string): SchemaValidator {
  const path = join(dir, `${name}.cjs`);
  writeFileSync(path, savedValidator(v));
  return { ...v, saved: pathToFileURL(path) };
}

const isSaved = (f: unknown): boolean => typeof (f as { madeFrom?: unknown }).madeFrom === 'string';

describe('saved JSON Schema validators', () => {
  const preset = getPreset('default')!.config;
  const configs: unknown[] = [
    preset,
    { ...preset, dim: 3 },
    { ...preset, dim: 'sixteen', scratchpadKiB: -1, extra: true },
    { name: 'partial' },
    [],
  ];

  it('judge configurations as the compiled schema does, with the same errors', () => {
    const compiled = new Ajv(CONFIG_VALIDATOR.options).compile(CONFIG_VALIDATOR.schema);
    const loaded = validatorOf(saved(CONFIG_VALIDATOR, 'config'));
    expect(isSaved(loaded)).toBe(true);
    for (const c of configs) {
      expect(loaded(c)).toBe(compiled(c));
      expect(loaded.errors ?? null).toEqual(compiled.errors ?? null);
    }
    expect(configs.filter((c) => loaded(c)).length).toBe(1);
  });

  it('are not used for another schema or other options (a schema edited since the build)', () => {
    const file = saved(SWEEP_VALIDATOR, 'sweep').saved;
    expect(isSaved(validatorOf({ ...SWEEP_VALIDATOR, saved: file }))).toBe(true);
    expect(isSaved(validatorOf({ ...SWEEP_VALIDATOR, options: { ...SWEEP_VALIDATOR.options, allErrors: false }, saved: file }))).toBe(false);
    const edited = { ...SWEEP_VALIDATOR.schema, description: 'edited' };
    expect(isSaved(validatorOf({ ...SWEEP_VALIDATOR, schema: edited, saved: file }))).toBe(false);
  });

  it('are written by the build, from the schemas as they are', () => {
    for (const v of [CONFIG_VALIDATOR, SWEEP_VALIDATOR]) {
      const inDist = new URL(`../dist/${fileURLToPath(v.saved).split(/[\\/]/).slice(-2).join('/')}`, import.meta.url);
      expect(existsSync(inDist), `${fileURLToPath(inDist)}: run npm run build`).toBe(true);
      expect(isSaved(validatorOf({ ...v, saved: inDist }))).toBe(true);
    }
  });
});
