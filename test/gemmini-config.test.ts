// Gemmini configurations: presets, validation messages, derived parameters,
// the generated gemmini_params.h (compiled with the system C compiler) and the
// `tc configs` command.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_FIELDS,
  CONFIG_SCHEMA,
  type GemminiConfig,
  bytesOf,
  derivedParams,
  formatConfigError,
  suggestField,
  validateConfig,
} from '../gemmini/config.js';
import { type ConfigsCommandIO, configsCommand } from '../gemmini/configs-command.js';
import { renderGemminiParams } from '../gemmini/params.js';
import { PRESETS, getPreset, presetNames } from '../gemmini/presets.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const goodDir = path.join(repoRoot, 'test/fixtures/configs/good');
const badDir = path.join(repoRoot, 'test/fixtures/configs/bad');

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function mustGetPreset(name: string): GemminiConfig {
  const preset = getPreset(name);
  if (preset === undefined) throw new Error(`no preset ${name}`);
  return preset.config;
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-gemmini-config-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

describe('presets', () => {
  it('include the default and the DIM 4, 8, 32 and fp32 variants', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['default', 'dim4', 'dim8', 'dim32', 'fp32']));
    expect(presetNames()[0]).toBe('default');
  });

  it.each(presetNames())('%s validates and comes back unchanged', (name) => {
    const preset = mustGetPreset(name);
    const { config, errors } = validateConfig(JSON.parse(JSON.stringify(preset)));
    expect(errors.map(formatConfigError)).toEqual([]);
    expect(config).toEqual(preset);
    expect(preset.name).toBe(name);
  });

  it.each(presetNames())('%s sets every field of the schema (type and schema agree)', (name) => {
    const annotations = ['$schema', 'description'];
    expect(Object.keys(mustGetPreset(name)).sort()).toEqual(
      CONFIG_FIELDS.filter((f) => !annotations.includes(f)).sort(),
    );
  });

  it('every preset names its source', () => {
    for (const name of presetNames()) expect(PRESETS[name].source).toMatch(/\.scala|tc variant/);
  });

  it('unknown names give undefined, also for Object.prototype keys', () => {
    expect(getPreset('nope')).toBeUndefined();
    expect(getPreset('toString')).toBeUndefined();
  });

  it('default derives the values of Gemmini\'s published gemmini_params.h', () => {
    // gemmini-rocc-tests include/gemmini_params.h (default config)
    expect(derivedParams(mustGetPreset('default'))).toMatchObject({
      DIM: 16,
      ADDR_LEN: 32,
      BANK_NUM: 4,
      BANK_ROWS: 4096,
      ACC_ROWS: 1024,
      MAX_BYTES: 64,
      MAX_BLOCK_LEN: 4,
      MAX_BLOCK_LEN_ACC: 1,
      ELEM_BYTES: 1,
      ACC_BYTES: 4,
    });
  });

  it('default holds Configs.scala defaultConfig\'s queue, DMA and array numbers', () => {
    expect(mustGetPreset('default')).toMatchObject({
      dim: 16,
      dataflow: 'both',
      scratchpadKiB: 256,
      scratchpadBanks: 4,
      accumulatorKiB: 64,
      accumulatorBanks: 2,
      spatialArrayOutputBits: 20,
      dmaBusWidthBits: 128,
      dmaMaxBytes: 64,
      maxInFlightRequests: 16,
      ldReservationEntries: 8,
      exReservationEntries: 16,
      stReservationEntries: 4,
      ldQueueLength: 8,
      exQueueLength: 8,
      stQueueLength: 2,
    });
  });

  it('the variants derive the block lengths Gemmini\'s header generator would', () => {
    const blocks = (name: string) => {
      const d = derivedParams(mustGetPreset(name));
      return [d.DIM, d.BANK_ROWS, d.ACC_ROWS, d.MAX_BLOCK_LEN, d.MAX_BLOCK_LEN_ACC];
    };
    expect(blocks('dim4')).toEqual([4, 4096, 1024, 16, 4]);
    expect(blocks('dim8')).toEqual([8, 4096, 1024, 8, 2]);
    // a 128-byte accumulator row is larger than MAX_BYTES: one block per mvin
    expect(blocks('dim32')).toEqual([32, 4096, 1024, 2, 1]);
    expect(blocks('fp32')).toEqual([4, 4096, 4096, 4, 4]);
  });
});

// Every malformed fixture and the exact diagnostics it must produce.
const BAD_FIXTURES: Record<string, string[]> = {
  'dim-zero': ['dim: must be a power of two between 2 and 256, got 0'],
  'dim-negative': ['dim: must be a power of two between 2 and 256, got -16'],
  'dim-not-power-of-two': ['dim: must be a power of two between 2 and 256, got 12'],
  'dim-string': ['dim: must be a power of two between 2 and 256, got "16" (a string)'],
  'scratchpad-too-small': [
    'scratchpadKiB: 2 KiB holds 64 rows of 32 bytes (DIM 32 × int8), too small for one 32×32 tile each of A, B and C (96 rows, 3 KiB)',
  ],
  'accumulator-too-small': [
    'accumulatorKiB: 8 KiB holds 32 rows of 256 bytes (DIM 64 × int32), too small for one 64×64 tile of int32 partial sums (64 rows, 16 KiB)',
  ],
  'unknown-field': ["dimm: unknown field 'dimm' (did you mean 'dim'?)"],
  'gemmini-field-name': [
    "sp_capacity: unknown field 'sp_capacity' (Gemmini's sp_capacity is 'scratchpadKiB' in tc configurations)",
  ],
  'unknown-dataflow': ['dataflow: must be one of "OS", "WS", "both", got "XS"'],
  'negative-latency': ['memLatencyCycles: must be an integer between 0 and 100000, got -5'],
  'banks-not-dividing-rows': [
    "scratchpadBanks: 3 banks do not divide the scratchpad's 16384 rows evenly (5461.33 rows per bank); rows per bank must be a whole number",
  ],
  'bank-rows-not-power-of-two': [
    'scratchpadKiB: 192 KiB in 4 banks gives 3072 rows per bank; Gemmini needs a power of two rows per scratchpad bank',
  ],
  'acc-bank-rows-not-multiple-of-dim': [
    'accumulatorBanks: 8 banks of 32 rows: rows per bank must be a multiple of DIM (64); use fewer banks or more accumulatorKiB',
  ],
  'missing-required-field': [
    "accumulatorKiB: missing required field 'accumulatorKiB' (an integer between 1 and 65536)",
  ],
  'type-combination': [
    'accType: with inputType int8 the accumulator type must be int32, got float32 (supported inputType/accType/outputType: int8/int32/int8, float32/float32/float32)',
  ],
  'unsupported-input-type': [
    'inputType: int32 inputs are not supported (supported inputType/accType/outputType: int8/int32/int8, float32/float32/float32)',
  ],
  'boolean-as-string': ['hasLoopWs: must be true or false, got "yes" (a string)'],
  'dma-not-whole-beats': [
    'dmaMaxBytes: must be a whole number of 16-byte bus beats (dmaBusWidthBits 128), got 24',
  ],
  'dma-not-row-multiple': [
    'dmaMaxBytes: must be a multiple of one scratchpad row (32 bytes = DIM 32 × int8) or divide it evenly, got 48',
  ],
  'spatial-bits-too-narrow': [
    'spatialArrayOutputBits: must be between 16 (one int8 × int8 product) and 32 (accType int32), got 12',
  ],
  'tile-not-dividing-dim': ['tileRows: must divide dim (16) so that the mesh is made of whole tiles, got 3'],
  'activations-without-none': ['activations: must include "none" (activation code 0, used by every plain mvout)'],
  'unknown-activation': [
    'activations[1]: must be one of "none", "relu", "layernorm", "igelu", "softmax", got "gelu"',
  ],
  'name-with-spaces': [
    `name: must be a name of letters, digits, '_', '-' and '.' starting with a letter or digit, at most 64 characters, got "my config"`,
  ],
  'not-an-object': ['a configuration must be a JSON object, got [16,16] (a list)'],
};

describe('validateConfig', () => {
  it('accepts the good fixtures', () => {
    const files = fs.readdirSync(goodDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const { config, errors } = validateConfig(readJson(path.join(goodDir, file)));
      expect(errors.map(formatConfigError), file).toEqual([]);
      expect(config, file).toBeDefined();
    }
  });

  it('fills left-out fields with the default config\'s values', () => {
    const { config } = validateConfig(readJson(path.join(goodDir, 'minimal.json')));
    expect(config).toEqual({ ...mustGetPreset('default'), name: 'minimal' });
  });

  it('keeps every field a file sets, and drops $schema', () => {
    const json = readJson(path.join(goodDir, 'every-field.json')) as Record<string, unknown>;
    const { config } = validateConfig(json);
    const { $schema: _schema, ...expected } = json;
    expect(config).toEqual(expected);
  });

  it('defaults spatialArrayOutputBits to 32 for float32 arrays', () => {
    const { config } = validateConfig(readJson(path.join(goodDir, 'fp32-dim8.json')));
    expect(config?.spatialArrayOutputBits).toBe(32);
    expect(derivedParams(config as GemminiConfig)).toMatchObject({ BANK_ROWS: 512, ACC_ROWS: 2048, MAX_BLOCK_LEN: 2 });
  });

  it('has an expectation for every malformed fixture, and at least ten of them', () => {
    const files = fs
      .readdirSync(badDir)
      .filter((f) => f.endsWith('.json') && f !== 'not-json.json')
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(BAD_FIXTURES).sort());
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(Object.entries(BAD_FIXTURES))('rejects %s with a message naming the field', (name, expected) => {
    const { config, errors } = validateConfig(readJson(path.join(badDir, `${name}.json`)));
    expect(config).toBeUndefined();
    expect(errors.map(formatConfigError)).toEqual(expected);
  });

  it('reports every schema problem at once', () => {
    const json = { ...mustGetPreset('default'), dim: 0, dataflow: 'XS', dimm: 1 };
    expect(validateConfig(json).errors.map((e) => e.path).sort()).toEqual(['dataflow', 'dim', 'dimm']);
  });

  it('does not modify its input', () => {
    const json = readJson(path.join(goodDir, 'minimal.json'));
    const before = JSON.stringify(json);
    validateConfig(json);
    expect(JSON.stringify(json)).toBe(before);
  });

  it('accepts an accumulator of exactly one tile and rejects one row less of capacity', () => {
    const base = { ...mustGetPreset('default'), accumulatorBanks: 1 };
    // DIM 16 × int32 = 64-byte rows: 1 KiB = 16 rows = one tile
    expect(validateConfig({ ...base, accumulatorKiB: 1 }).errors).toEqual([]);
    // DIM 32 × int32 = 128-byte rows: 2 KiB = 16 rows < 32
    expect(validateConfig({ ...base, dim: 32, accumulatorKiB: 2 }).errors.map(formatConfigError)).toEqual([
      'accumulatorKiB: 2 KiB holds 16 rows of 128 bytes (DIM 32 × int32), too small for one 32×32 tile of int32 partial sums (32 rows, 4 KiB)',
    ]);
  });

  it('suggests the field a typo meant', () => {
    expect(suggestField('scratchpadKB')).toBe('scratchpadKiB');
    expect(suggestField('accumulator_banks')).toBe('accumulatorBanks');
    expect(suggestField('DataFlow')).toBe('dataflow');
    expect(suggestField('memLatency')).toBe('memLatencyCycles');
    expect(suggestField('max_in_flight_mem_reqs')).toBe('maxInFlightRequests');
    expect(suggestField('frobnicate')).toBeUndefined();
  });

  it('never throws, whatever JSON it is given', () => {
    const preset = mustGetPreset('default');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(fc.constantFrom(...CONFIG_FIELDS, 'x', '__proto__'), fc.jsonValue()),
          fc.record({ dim: fc.integer(), scratchpadKiB: fc.integer(), accumulatorBanks: fc.integer() }).map((r) => ({
            ...preset,
            ...r,
          })),
        ),
        (json) => {
          const { config, errors } = validateConfig(json);
          expect(config === undefined).toBe(errors.length > 0);
          for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('documents every field in the schema', () => {
    for (const [field, schema] of Object.entries(CONFIG_SCHEMA.properties)) {
      expect((schema as { description?: string }).description, field).toMatch(/\w{3,}/);
    }
  });

  it('matches the checked-in gemmini/config.schema.json (regenerate: tc configs schema > gemmini/config.schema.json)', () => {
    expect(readJson(path.join(repoRoot, 'gemmini/config.schema.json'))).toEqual(
      JSON.parse(JSON.stringify(CONFIG_SCHEMA)),
    );
  });
});

// ---------------------------------------------------------------------------
// gemmini_params.h
// ---------------------------------------------------------------------------

function writeHeader(dir: string, config: GemminiConfig): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'gemmini_params.h'), renderGemminiParams(config));
}

function gcc(args: string[]): string {
  return execFileSync('gcc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Static asserts written from the configuration's own fields (not from
// derivedParams), so they check the header's arithmetic independently.
function staticAssertsFor(c: GemminiConfig): string {
  const flag = (b: boolean) => (b ? 1 : 0);
  const ws = c.dataflow !== 'OS';
  const os_ = c.dataflow !== 'WS';
  const checks = [
    `DIM == ${c.dim}`,
    'ADDR_LEN == 32',
    'XCUSTOM_ACC == 3',
    `BANK_NUM == ${c.scratchpadBanks}`,
    `(long long)BANK_NUM * BANK_ROWS * DIM * sizeof(elem_t) == ${c.scratchpadKiB}LL * 1024`,
    `(long long)ACC_ROWS * DIM * sizeof(acc_t) == ${c.accumulatorKiB}LL * 1024`,
    `BANK_ROWS % DIM == 0`,
    `ACC_ROWS % DIM == 0`,
    `sizeof(elem_t) == ${bytesOf(c.inputType)}`,
    `sizeof(acc_t) == ${bytesOf(c.accType)}`,
    `sizeof(full_t) == 8`,
    `sizeof(acc_scale_t) == 4`,
    `MAX_BYTES == ${c.dmaMaxBytes}`,
    'MAX_BLOCK_LEN >= 1 && (MAX_BLOCK_LEN == 1 || MAX_BLOCK_LEN * DIM * sizeof(elem_t) <= MAX_BYTES)',
    'MAX_BLOCK_LEN_ACC >= 1 && (MAX_BLOCK_LEN_ACC == 1 || MAX_BLOCK_LEN_ACC * DIM * sizeof(acc_t) <= MAX_BYTES)',
    `TC_HAS_WS == ${flag(ws)}`,
    `TC_HAS_OS == ${flag(os_)}`,
    `TC_HAS_LOOP_WS == ${flag(c.hasLoopWs)}`,
    `TC_HAS_LOOP_CONV == ${flag(c.hasLoopConv)}`,
    `TC_SPATIAL_OUTPUT_BITS == ${c.spatialArrayOutputBits}`,
    `TC_DMA_BUS_BYTES * 8 == ${c.dmaBusWidthBits}`,
    `TC_MEM_LATENCY_CYCLES == ${c.memLatencyCycles}`,
    `TC_MAX_INFLIGHT_REQS == ${c.maxInFlightRequests}`,
    `TC_LD_QUEUE == ${c.ldReservationEntries} && TC_EX_QUEUE == ${c.exReservationEntries} && TC_ST_QUEUE == ${c.stReservationEntries}`,
    `TC_MESH_ROWS * TC_TILE_ROWS == DIM && TC_MESH_COLS * TC_TILE_COLS == DIM`,
  ];
  return checks.map((check, i) => `_Static_assert(${check}, "check ${i}: ${check.replace(/"/g, "'")}");`).join('\n');
}

const USE_EVERY_MACRO = `
volatile double sink;
acc_t use_every_macro(acc_t x, elem_t e, scale_t s, acc_scale_t as, scale_acc_t sa) {
  static elem_t row[MAX_BLOCK_LEN * DIM] row_align(MAX_BLOCK_LEN);
  static acc_t acc_row[DIM] row_align_acc(1);
  full_t wide = x;
  sink = elem_t_max; sink = elem_t_min; sink = acc_t_max; sink = acc_t_min;
  sink = wide; sink = row[0]; sink = acc_row[0];
  sink = MVIN_SCALE_IDENTITY; sink = ACC_SCALE_IDENTITY;
  acc_t scaled = ACC_SCALE(x, as);
  elem_t in = MVIN_SCALE(e, s);
  acc_t in_acc = MVIN_SCALE_ACC(x, sa);
  acc_t shifted = ROUNDING_RIGHT_SHIFT(x, 3) + ROUNDING_RIGHT_SHIFT(x, 0) + ROUNDING_RIGHT_SHIFT(x, -2);
  const float const_half = 0.5f;
  const acc_t const_x = x;
  return scaled + in + in_acc + shifted + (acc_t)ROUND_NEAR_EVEN(2.5f) + (acc_t)ROUND_NEAR_EVEN(const_half) +
         ACC_SCALE(const_x, as) + ROUNDING_RIGHT_SHIFT(const_x, 1);
}
#if defined(ELEM_T_IS_FLOAT) != @EXPECT_FLOAT@
#error "ELEM_T_IS_FLOAT does not match the input type"
#endif
#ifndef ACC_SCALE_T_IS_FLOAT
#error "ACC_SCALE_T_IS_FLOAT missing"
#endif
`;

describe('gemmini_params.h', () => {
  it.each(presetNames())('of %s compiles with gcc and holds the configuration\'s numbers', (name) => {
    const config = mustGetPreset(name);
    const dir = path.join(tmpRoot, `syntax-${name}`);
    writeHeader(dir, config);
    const source = [
      '#include "gemmini_params.h"',
      '#include "gemmini_params.h" /* the include guard works */',
      staticAssertsFor(config),
      USE_EVERY_MACRO.replace('@EXPECT_FLOAT@', config.inputType === 'float32' ? '1' : '0'),
      config.hasMvinScale ? '' : '#ifdef HAS_MVIN_SCALE\n#error "unexpected HAS_MVIN_SCALE"\n#endif',
      config.hasMvinScale ? '#ifndef HAS_MVIN_SCALE\n#error "HAS_MVIN_SCALE missing"\n#endif' : '',
      config.hasMvinAccScale ? '#ifndef HAS_MVIN_ACC_SCALE\n#error "HAS_MVIN_ACC_SCALE missing"\n#endif' : '',
      config.hasMvinAccScale ? '' : '#ifdef HAS_MVIN_ACC_SCALE\n#error "unexpected HAS_MVIN_ACC_SCALE"\n#endif',
    ].join('\n');
    const file = path.join(dir, 'use.c');
    fs.writeFileSync(file, source);
    gcc(['-std=c11', '-Wall', '-Wextra', '-Wpedantic', '-Werror', '-fsyntax-only', `-I${dir}`, file]);
  });

  it('fails to compile when a static assert is wrong (the check above can fail)', () => {
    const dir = path.join(tmpRoot, 'syntax-wrong');
    writeHeader(dir, mustGetPreset('default'));
    const file = path.join(dir, 'use.c');
    fs.writeFileSync(file, '#include "gemmini_params.h"\n_Static_assert(DIM == 32, "DIM");\n');
    expect(() => gcc(['-std=c11', '-fsyntax-only', `-I${dir}`, file])).toThrow();
  });

  it('names the configuration and tc in its first comment', () => {
    const header = renderGemminiParams(mustGetPreset('dim8'));
    expect(header.split('\n')[0]).toBe('/* gemmini_params.h for the Gemmini configuration "dim8".');
    expect(header).toContain('Generated by tc');
    expect(header).toContain('#define TC_CONFIG_NAME "dim8"');
  });

  it('gives float configurations float types and limits', () => {
    const header = renderGemminiParams(mustGetPreset('fp32'));
    expect(header).toContain('typedef float elem_t;');
    expect(header).toContain('typedef float acc_t;');
    expect(header).toContain('typedef double full_t;');
    expect(header).toContain('#define ELEM_T_IS_FLOAT');
    expect(header).toContain('#define HAS_MVIN_ACC_SCALE');
  });
});

// Reference semantics in TypeScript: float32 arithmetic via Math.fround,
// round half to even, saturation.
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

function roundingRightShift(x: number, shift: number): number {
  if (shift <= 0) return x * 2 ** -shift;
  return roundHalfEven(x / 2 ** shift); // exact: |x| < 2^31, shift <= 8
}

function scaleToInt8(x: number, scale: number): number {
  const product = Math.fround(Math.fround(x) * Math.fround(scale)); // one float32 rounding
  return Math.min(127, Math.max(-128, roundHalfEven(product)));
}

describe('gemmini_params.h numerics (compiled and run)', () => {
  const roundInputs = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 2.5000002, -3.75, 8388607.5, 1e10, -1e30, 0.49999997].map(
    (v) => Math.fround(v),
  );
  const shiftCases: [number, number][] = [];
  for (const x of [-300, -129, -128, -127, -9, -7, -6, -5, -3, -2, -1, 0, 1, 2, 3, 5, 6, 7, 9, 127, 128, 300, 2147483647, -2147483648]) {
    for (const shift of [1, 2, 3, 4, 8]) shiftCases.push([x, shift]);
  }
  for (const x of [-5, 0, 3, 1000]) for (const shift of [0, -1, -3]) shiftCases.push([x, shift]);
  const scaleCases: [number, number][] = [];
  for (const x of [0, 1, -1, 3, -3, 5, -5, 127, 128, -128, -129, 255, 1000, -1000, 16777217, -16777217, 2147483647, -2147483648]) {
    for (const scale of [1, 0.5, 0.25, 0.1, 3, 1e-6, -0.5]) scaleCases.push([x, Math.fround(scale)]);
  }

  it('round half to even, rounding right shift and ACC_SCALE/MVIN_SCALE agree with the reference', () => {
    const dir = path.join(tmpRoot, 'run-default');
    writeHeader(dir, mustGetPreset('default'));
    const floatLit = (v: number) => `${v.toPrecision(9)}f`;
    const source = `#include <stdio.h>
#include "gemmini_params.h"
static const float round_inputs[] = { ${roundInputs.map(floatLit).join(', ')} };
static const long long shift_cases[][2] = { ${shiftCases.map(([x, s]) => `{${x}LL, ${s}}`).join(', ')} };
static const float scale_values[] = { ${scaleCases.map(([, s]) => floatLit(s)).join(', ')} };
static const long long scale_inputs[] = { ${scaleCases.map(([x]) => `${x}LL`).join(', ')} };
int main(void) {
  for (unsigned i = 0; i < sizeof round_inputs / sizeof round_inputs[0]; i++)
    printf("round %.1f\\n", (double)ROUND_NEAR_EVEN(round_inputs[i]));
  for (unsigned i = 0; i < sizeof shift_cases / sizeof shift_cases[0]; i++) {
    full_t x = shift_cases[i][0];
    int shift = (int)shift_cases[i][1];
    printf("shift %lld\\n", (long long)ROUNDING_RIGHT_SHIFT(x, shift));
  }
  for (unsigned i = 0; i < sizeof scale_inputs / sizeof scale_inputs[0]; i++) {
    acc_t x = (acc_t)scale_inputs[i];
    printf("acc_scale %d\\n", (int)ACC_SCALE(x, scale_values[i]));
    elem_t e = (elem_t)(x > 127 ? 127 : x < -128 ? -128 : x);
    printf("mvin_scale %d\\n", (int)MVIN_SCALE(e, scale_values[i]));
  }
  return 0;
}
`;
    const file = path.join(dir, 'numerics.c');
    const exe = path.join(dir, 'numerics');
    fs.writeFileSync(file, source);
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', `-I${dir}`, file, '-o', exe]);
    const lines = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');

    const expected: string[] = [];
    for (const v of roundInputs) expected.push(`round ${BigInt(roundHalfEven(v))}.0`);
    for (const [x, s] of shiftCases) expected.push(`shift ${roundingRightShift(x, s)}`);
    for (const [x, s] of scaleCases) {
      expected.push(`acc_scale ${scaleToInt8(x, s)}`);
      expected.push(`mvin_scale ${scaleToInt8(Math.min(127, Math.max(-128, x)), s)}`);
    }
    expect(lines).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------
// tc configs
// ---------------------------------------------------------------------------

interface Captured {
  readonly io: ConfigsCommandIO;
  readonly out: () => string;
  readonly err: () => string;
}

function capture(files: Record<string, string> = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (s) => {
        out += s;
      },
      stderr: (s) => {
        err += s;
      },
      readFile: (file) => {
        if (Object.hasOwn(files, file)) return files[file];
        return fs.readFileSync(path.resolve(repoRoot, file), 'utf8');
      },
    },
    out: () => out,
    err: () => err,
  };
}

function run(args: string[], files?: Record<string, string>) {
  const c = capture(files);
  const status = configsCommand(args, c.io);
  return { status, out: c.out(), err: c.err() };
}

describe('tc configs', () => {
  it('list prints one row per preset with DIM, types, memories, dataflow and source', () => {
    const { status, out, err } = run(['list']);
    expect(status).toBe(0);
    expect(err).toBe('');
    const rows = out.trimEnd().split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(rows[0]).toEqual(['name', 'DIM', 'types (in/acc/out)', 'scratchpad KiB', 'acc KiB', 'dataflow', 'source']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(presetNames());
    expect(rows[1]).toEqual(['default', '16', 'int8/int32/int8', '256', '64', 'both', 'Configs.scala defaultConfig']);
    expect(rows.find((r) => r[0] === 'fp32')?.slice(1, 6)).toEqual(['4', 'float32/float32/float32', '256', '64', 'both']);
  });

  it('show prints the configuration JSON and the derived parameters', () => {
    const { status, out } = run(['show', 'default']);
    expect(status).toBe(0);
    const [jsonPart, rest] = out.split('\n\n');
    expect(JSON.parse(jsonPart)).toEqual(mustGetPreset('default'));
    expect(rest).toContain('source: Configs.scala defaultConfig');
    expect(rest).toMatch(/^\s+BANK_ROWS\s+4096$/m);
    expect(rest).toMatch(/^\s+ACC_ROWS\s+1024$/m);
    expect(rest).toMatch(/^\s+MAX_BLOCK_LEN_ACC\s+1$/m);
  });

  it('show --json prints a configuration that check accepts', () => {
    const shown = run(['show', 'dim32', '--json']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.out)).toEqual(mustGetPreset('dim32'));
    const checked = run(['check', 'mine.json'], { 'mine.json': shown.out });
    expect(checked.status).toBe(0);
    expect(checked.out).toBe(
      "mine.json: ok: 'dim32', DIM 32, int8/int32/int8, scratchpad 512 KiB (4 banks × 4096 rows), " +
        'accumulator 128 KiB (2 banks × 512 rows), dataflow both\n',
    );
  });

  it('show accepts a file and reports an unknown name clearly', () => {
    expect(run(['show', 'test/fixtures/configs/good/minimal.json']).out).toContain(
      'source: test/fixtures/configs/good/minimal.json',
    );
    const unknown = run(['show', 'defualt']);
    expect(unknown.status).toBe(1);
    expect(unknown.err).toBe(
      `error: 'defualt' is neither a preset (${presetNames().join(', ')}) nor a readable file\n`,
    );
  });

  it('check says ok for a good file', () => {
    const { status, out, err } = run(['check', 'test/fixtures/configs/good/minimal.json']);
    expect(status).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(
      "test/fixtures/configs/good/minimal.json: ok: 'minimal', DIM 16, int8/int32/int8, " +
        'scratchpad 256 KiB (4 banks × 4096 rows), accumulator 64 KiB (2 banks × 512 rows), dataflow both\n',
    );
  });

  it('check rejects every malformed fixture with FILE: error: field: message lines', () => {
    const files = Object.keys(BAD_FIXTURES).map((name) => `test/fixtures/configs/bad/${name}.json`);
    const { status, out, err } = run(['check', ...files]);
    expect(status).toBe(1);
    expect(out).toBe('');
    const expected = Object.entries(BAD_FIXTURES).flatMap(([name, messages]) =>
      messages.map((m) => `test/fixtures/configs/bad/${name}.json: error: ${m}`),
    );
    expect(err.trimEnd().split('\n')).toEqual(expected);
  });

  it('check fails when one of several files is bad, and still reports the good ones', () => {
    const { status, out, err } = run([
      'check',
      'test/fixtures/configs/good/minimal.json',
      'test/fixtures/configs/bad/dim-zero.json',
    ]);
    expect(status).toBe(1);
    expect(out).toContain('minimal.json: ok');
    expect(err).toBe('test/fixtures/configs/bad/dim-zero.json: error: dim: must be a power of two between 2 and 256, got 0\n');
  });

  it('check reports JSON syntax errors with a line and unreadable files', () => {
    const syntax = run(['check', 'test/fixtures/configs/bad/not-json.json']);
    expect(syntax.status).toBe(1);
    expect(syntax.err).toMatch(/^test\/fixtures\/configs\/bad\/not-json\.json: error: not valid JSON: .*line 4/);
    const missing = run(['check', 'test/fixtures/configs/none.json']);
    expect(missing.status).toBe(1);
    expect(missing.err).toMatch(/^test\/fixtures\/configs\/none\.json: error: cannot read file/);
  });

  it('params prints the header of a preset or a file, and refuses a bad file', () => {
    const preset = run(['params', 'chip']);
    expect(preset.status).toBe(0);
    expect(preset.out).toBe(renderGemminiParams(mustGetPreset('chip')));
    expect(preset.out).toContain('#define TC_HAS_OS 0');
    const file = run(['params', 'test/fixtures/configs/good/minimal.json']);
    expect(file.out).toContain('#define TC_CONFIG_NAME "minimal"');
    const bad = run(['params', 'test/fixtures/configs/bad/unknown-field.json']);
    expect(bad.status).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toBe(
      "test/fixtures/configs/bad/unknown-field.json: error: dimm: unknown field 'dimm' (did you mean 'dim'?)\n",
    );
  });

  it('schema prints the JSON Schema', () => {
    expect(JSON.parse(run(['schema']).out)).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  });

  it('prints usage: on stdout for help, on stderr with status 2 for mistakes', () => {
    const help = run([]);
    expect(help.status).toBe(0);
    expect(help.out).toMatch(/^usage: tc configs/);
    for (const args of [['frob'], ['show'], ['check'], ['params', 'a', 'b'], ['list', 'x']]) {
      const wrong = run(args);
      expect(wrong.status, args.join(' ')).toBe(2);
      expect(wrong.err, args.join(' ')).toContain('usage: tc configs');
    }
  });
});
