// Sweep specifications: the JSON Schema of a spec file, its validation (ajv,
// then checks that need tc's knowledge: configuration field names and types,
// ranges that make sense), and its expansion into an ordered list of points.
//
// Contract: parseSweepSpec never throws for a user's mistake; it returns every
// problem as { path, message }, the path naming the field ("parameters.dim[2]").
// Expansion is deterministic: the same spec gives the same points, in the same
// order, with the same ids, on every machine — which is what --shard and resume
// rely on. A point's id hashes everything the spec says about it (the full
// configuration, the workload's source text, sizes and entry, the runner, the
// seeds), so editing a spec reruns exactly the points it changed.

import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import { CONFIG_FIELDS, CONFIG_SCHEMA, type GemminiConfig, suggestField } from '../gemmini/config.js';
import { validatorOf, type SchemaValidator } from '../ir/json-schema.js';

export type RunnerName = 'host' | 'analytical';
export const RUNNERS: readonly RunnerName[] = ['host', 'analytical'];

/** The compile option a sweep may vary besides configuration fields: the mesh's dataflow. */
export const MESH_DATAFLOW = 'meshDataflow';

type Scalar = number | string | boolean;
export type ParamValue = Scalar | readonly Scalar[];

export interface SweepSpecError {
  readonly path: string;
  readonly message: string;
}

export function formatSpecError(e: SweepSpecError): string {
  return e.path === '' ? e.message : `${e.path}: ${e.message}`;
}

/** A workload as the spec names it, before its file is read. */
export interface WorkloadSpec {
  readonly name: string;
  /** Path as written in the spec (relative to the spec file's folder). */
  readonly file: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly entry?: string;
}

/** A checked spec: every list expanded, every default filled in. */
export interface SweepSpec {
  readonly name: string;
  readonly description?: string;
  /** A preset name, or a configuration file (relative to the spec file's folder). */
  readonly base: string;
  /** Configuration fields set on every point before the swept ones. */
  readonly fixed: Readonly<Record<string, ParamValue>>;
  /** Swept parameters in the spec's order (the first varies slowest), each with its values. */
  readonly parameters: readonly { readonly name: string; readonly values: readonly ParamValue[] }[];
  readonly workloads: readonly WorkloadSpec[];
  readonly runner: RunnerName;
  readonly seeds: readonly number[];
  /** Output folder as written (relative to the spec file's folder), if the spec names one. */
  readonly output?: string;
  /** The two parameters of the report's heat maps (default: the first two swept). */
  readonly heatmap?: readonly [string, string];
}

// ---------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const SIZE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const MAX_POINTS = 1_000_000;
const MAX_VALUES = 10_000;

const scalar = { type: ['number', 'string', 'boolean'] };
const valueList = {
  type: 'array',
  minItems: 1,
  items: { anyOf: [scalar, { type: 'array', items: scalar }] },
};
const range = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { type: 'number', description: 'First value.' },
    to: { type: 'number', description: 'Last value (included when the sequence reaches it exactly).' },
    step: { type: 'number', exclusiveMinimum: 0, description: 'Arithmetic range: from, from+step, ... up to to. Default 1 unless times is given.' },
    times: { type: 'number', exclusiveMinimum: 1, description: 'Geometric range: from, from*times, ... up to to.' },
  },
};

/** The JSON Schema (draft-07) of a sweep spec. `tc sweep --schema` prints it. */
export const SWEEP_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'tc design-space sweep',
  description:
    'A sweep: a base Gemmini configuration, the configuration fields to vary (lists or ranges, combined as a grid), ' +
    'the workloads (.tc files with sizes), the runner and the input seeds. Paths are relative to the spec file.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'parameters', 'workloads'],
  properties: {
    $schema: { type: 'string', description: 'URL or path of this schema, for editors. Ignored by tc.' },
    name: { type: 'string', pattern: NAME_PATTERN, maxLength: 64, description: 'Name of the sweep: the default output folder out/sweeps/NAME and the configurations\' name.' },
    description: { type: 'string', maxLength: 2000, description: 'Free text for the reader; shown in the report.' },
    base: { type: 'string', minLength: 1, description: 'The configuration every point starts from: a preset name (tc configs list) or a configuration JSON file. Default: default.' },
    fixed: { type: 'object', description: 'Configuration fields set on every point (same value types as a configuration file).' },
    parameters: {
      type: 'object',
      minProperties: 1,
      description:
        'Configuration fields to vary (dim, scratchpadKiB, accumulatorKiB, scratchpadBanks, accumulatorBanks, dataflow, dmaBusWidthBits, ' +
        'memLatencyCycles, maxInFlightRequests, ...) and meshDataflow (the compile option ws|os). Each is a list of values or a range ' +
        '{from, to, step} / {from, to, times}. Points are every combination (a grid), the first parameter varying slowest.',
      additionalProperties: { anyOf: [valueList, range] },
    },
    workloads: {
      type: 'array',
      minItems: 1,
      description: 'The .tc programs each configuration runs: a path, or {file, name, sizes, entry}.',
      items: {
        anyOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['file'],
            properties: {
              file: { type: 'string', minLength: 1, description: 'The .tc file.' },
              name: { type: 'string', pattern: NAME_PATTERN, maxLength: 64, description: 'Name in the results (default: the file name, with the sizes).' },
              sizes: {
                type: 'object',
                propertyNames: { pattern: SIZE_NAME_PATTERN },
                additionalProperties: { type: 'integer', minimum: 1 },
                description: 'Symbolic sizes, overriding the file\'s `let` defaults, e.g. {"M": 128}.',
              },
              entry: { type: 'string', minLength: 1, description: 'The function to compile (default: the last one).' },
            },
          },
        ],
      },
    },
    runner: { type: 'string', enum: [...RUNNERS], description: 'host: build and run every point on the host model and check it against the reference interpreter (default). analytical: the cost model alone.' },
    seeds: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 0xffffffff }, description: 'Input seeds; the host runner checks every one. Default [1].' },
    output: { type: 'string', minLength: 1, description: 'Output folder (relative to the spec file). Default: out/sweeps/NAME in the current folder.' },
    report: {
      type: 'object',
      additionalProperties: false,
      properties: {
        heatmap: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2, description: 'The two parameters of the heat maps (default: the first two swept).' },
      },
    },
  },
} as const;

const TOP_FIELDS = Object.keys(SWEEP_SCHEMA.properties);
/** The sweep spec schema's validator (saved by the build: ir/json-schema.ts). */
export const SWEEP_VALIDATOR: SchemaValidator = { schema: SWEEP_SCHEMA, options: { allErrors: true, strict: false }, saved: new URL('./sweep-spec.schema.cjs', import.meta.url) };
const validateSchema = validatorOf(SWEEP_VALIDATOR);

// ---------------------------------------------------------------------------
// Errors: ajv's instance paths as dotted field paths, messages in words
// ---------------------------------------------------------------------------

function segmentsOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pathOf(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' || /^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(norm(word), norm(c));
    if (d <= Math.max(1, Math.floor(c.length / 4)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}

const ALLOWED_TEXT: Readonly<Record<string, string>> = {
  name: "a name of letters, digits, '_', '-' and '.' starting with a letter or digit",
  runner: `one of ${RUNNERS.map((r) => JSON.stringify(r)).join(', ')}`,
};

function schemaErrors(errors: readonly ErrorObject[], input: unknown): SweepSpecError[] {
  const out: SweepSpecError[] = [];
  const seen = new Set<string>();
  const report = (path: string, message: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, message });
  };
  // anyOf branches produce one error per branch; report the anyOf once, in words.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const underAnyOf = (p: string) => [...anyOfPaths].some((a) => p === a || p.startsWith(`${a}/`));
  for (const e of errors) {
    const segs = segmentsOf(e.instancePath);
    const path = pathOf(segs);
    const value = valueAt(input, segs);
    if (e.keyword === 'anyOf') {
      if (segs[0] === 'parameters')
        report(path, `must be a list of values ([8, 16, 32]) or a range ({"from": 64, "to": 512, "times": 2} or {"from": 50, "to": 200, "step": 50}), got ${preview(value)}`);
      else if (segs[0] === 'workloads') report(path, `must be a .tc file path or {"file": ..., "sizes": {...}}, got ${preview(value)}`);
      else report(path, `invalid value ${preview(value)}`);
      continue;
    }
    if (underAnyOf(e.instancePath)) continue;
    switch (e.keyword) {
      case 'required': {
        const field = (e.params as { missingProperty: string }).missingProperty;
        report(pathOf([...segs, field]), `missing required field '${field}'`);
        break;
      }
      case 'additionalProperties': {
        const field = (e.params as { additionalProperty: string }).additionalProperty;
        const known = segs.length === 0 ? TOP_FIELDS : Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
        const hint = closest(field, known);
        report(pathOf([...segs, field]), `unknown field '${field}'${hint ? ` (did you mean '${hint}'?)` : ` (known: ${known.join(', ')})`}`);
        break;
      }
      case 'type':
        report(path, segs.length === 0 ? `a sweep spec must be a JSON object, got ${jsonType(value)}` : `must be ${typeWords((e.params as { type: string | string[] }).type)}, got ${preview(value)} (${jsonType(value)})`);
        break;
      case 'enum':
        report(path, `must be ${ALLOWED_TEXT[segs[segs.length - 1]] ?? `one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`}, got ${preview(value)}`);
        break;
      case 'pattern':
        report(path, `must be ${ALLOWED_TEXT.name}, got ${preview(value)}`);
        break;
      case 'propertyNames':
        report(path, `size names must be identifiers (${SIZE_NAME_PATTERN})`);
        break;
      case 'uniqueItems': {
        const { j } = e.params as { j: number };
        report(path, `${preview((value as unknown[])[j])} is listed twice`);
        break;
      }
      case 'minItems':
        report(path, `must not be empty`);
        break;
      case 'minProperties':
        report(path, `must name at least one parameter to vary`);
        break;
      default:
        report(path, `${e.message ?? 'invalid value'}, got ${preview(value)}`);
    }
  }
  return out;
}

function typeWords(t: string | string[]): string {
  const words: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'a JSON object', array: 'a list' };
  return (Array.isArray(t) ? t : [t]).map((x) => words[x] ?? x).join(' or ');
}

// ---------------------------------------------------------------------------
// Checks that need tc's knowledge of configurations
// ---------------------------------------------------------------------------

const NOT_SWEPT = new Set(['$schema', 'name', 'description']);
const SWEEPABLE = [...CONFIG_FIELDS.filter((f) => !NOT_SWEPT.has(f)), MESH_DATAFLOW];

interface FieldSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly items?: FieldSchema;
}

const configProperties = CONFIG_SCHEMA.properties as unknown as Record<string, FieldSchema>;

/**
 * A value of the right JSON type for the field: anything else is a spec error.
 * Values of the right type but out of range (dim 12) are left to the
 * configuration validator, so the point is reported as skipped, with its reason.
 */
function typeProblem(field: string, value: unknown): string | undefined {
  if (field === MESH_DATAFLOW) return value === 'ws' || value === 'os' ? undefined : `must be "ws" or "os" (the mesh's dataflow), got ${preview(value)}`;
  const schema = configProperties[field];
  const ok = (() => {
    switch (schema.type) {
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'string':
        return typeof value === 'string';
      case 'array':
        return Array.isArray(value);
      default:
        return true;
    }
  })();
  if (ok) return undefined;
  const want = schema.enum ? `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` : typeWords(schema.type ?? 'value');
  return `must be ${want}, got ${preview(value)} (${jsonType(value)})`;
}

function unknownField(field: string): string {
  const hint = field === 'dataflowUsed' || field === 'compileDataflow' ? MESH_DATAFLOW : suggestField(field);
  return `unknown parameter '${field}'${hint ? ` (did you mean '${hint}'?)` : ''}; parameters are configuration fields (${SWEEPABLE.join(', ')})`;
}

/** The values of a range: arithmetic (step) or geometric (times). */
function expandRange(r: { from: number; to: number; step?: number; times?: number }, path: string, errors: SweepSpecError[]): number[] {
  if (r.step !== undefined && r.times !== undefined) {
    errors.push({ path, message: 'give step (arithmetic) or times (geometric), not both' });
    return [];
  }
  if (r.from > r.to) {
    errors.push({ path, message: `from (${r.from}) must not exceed to (${r.to})` });
    return [];
  }
  if (r.times !== undefined && r.from <= 0) {
    errors.push({ path: `${path}.from`, message: `a geometric range needs a positive start, got ${r.from}` });
    return [];
  }
  const values: number[] = [];
  const eps = 1e-9 * Math.max(1, Math.abs(r.to));
  for (let i = 0, v = r.from; v <= r.to + eps; i++, v = r.times !== undefined ? r.from * r.times ** i : r.from + i * (r.step ?? 1)) {
    if (values.length >= MAX_VALUES) {
      errors.push({ path, message: `expands to more than ${MAX_VALUES} values` });
      return [];
    }
    values.push(Number(v.toPrecision(12)));
  }
  return values;
}

function basename(file: string): string {
  return file.replace(/\\/g, '/').split('/').pop()!.replace(/\.tc$/, '');
}

/** Parses and checks a spec (already JSON-parsed). */
export function parseSweepSpec(json: unknown): { spec?: SweepSpec; errors: SweepSpecError[] } {
  if (!validateSchema(json)) return { errors: schemaErrors(validateSchema.errors ?? [], json) };
  const raw = json as {
    name: string;
    description?: string;
    base?: string;
    fixed?: Record<string, unknown>;
    parameters: Record<string, unknown>;
    workloads: (string | { file: string; name?: string; sizes?: Record<string, number>; entry?: string })[];
    runner?: RunnerName;
    seeds?: number[];
    output?: string;
    report?: { heatmap?: string[] };
  };
  const errors: SweepSpecError[] = [];

  const fixed: Record<string, ParamValue> = {};
  for (const [field, value] of Object.entries(raw.fixed ?? {})) {
    const path = `fixed.${field}`;
    if (!SWEEPABLE.includes(field)) errors.push({ path, message: unknownField(field) });
    else {
      const problem = typeProblem(field, value);
      if (problem) errors.push({ path, message: problem });
      else fixed[field] = value as ParamValue;
    }
  }

  const parameters: { name: string; values: ParamValue[] }[] = [];
  for (const [field, spec] of Object.entries(raw.parameters)) {
    const path = `parameters.${field}`;
    if (!SWEEPABLE.includes(field)) {
      errors.push({ path, message: unknownField(field) });
      continue;
    }
    if (field in fixed) errors.push({ path, message: `'${field}' is both fixed and swept; keep one` });
    let values: ParamValue[];
    if (Array.isArray(spec)) values = spec as ParamValue[];
    else {
      const numeric = field === MESH_DATAFLOW ? undefined : configProperties[field].type;
      if (numeric !== 'integer') {
        errors.push({ path, message: `a range needs a numeric field; give ${field}'s values as a list` });
        continue;
      }
      values = expandRange(spec as { from: number; to: number; step?: number; times?: number }, path, errors);
    }
    const seen = new Set<string>();
    values.forEach((v, i) => {
      const problem = typeProblem(field, v);
      if (problem) errors.push({ path: Array.isArray(spec) ? `${path}[${i}]` : path, message: problem });
      const key = JSON.stringify(v);
      if (seen.has(key)) errors.push({ path: `${path}[${i}]`, message: `${preview(v)} is listed twice` });
      seen.add(key);
    });
    parameters.push({ name: field, values });
  }
  const count = parameters.reduce((n, p) => n * p.values.length, 1) * raw.workloads.length;
  if (count > MAX_POINTS) errors.push({ path: 'parameters', message: `the grid has ${count} points; at most ${MAX_POINTS} (split it into several sweeps)` });

  const workloads: WorkloadSpec[] = raw.workloads.map((w) => {
    const o = typeof w === 'string' ? { file: w } : w;
    const sizes = o.sizes ?? {};
    const sizeText = Object.entries(sizes).map(([k, v]) => `${k}${v}`).join('-');
    return { name: o.name ?? (sizeText ? `${basename(o.file)}-${sizeText}` : basename(o.file)), file: o.file, sizes, entry: o.entry };
  });
  const names = new Map<string, number>();
  workloads.forEach((w, i) => {
    const first = names.get(w.name);
    if (first !== undefined) errors.push({ path: `workloads[${i}]`, message: `workload name '${w.name}' is also workloads[${first}]'s; give one of them a "name"` });
    names.set(w.name, i);
  });

  let heatmap: [string, string] | undefined;
  if (raw.report?.heatmap) {
    const [a, b] = raw.report.heatmap;
    raw.report.heatmap.forEach((p, i) => {
      if (!parameters.some((q) => q.name === p)) errors.push({ path: `report.heatmap[${i}]`, message: `'${p}' is not a swept parameter (swept: ${parameters.map((q) => q.name).join(', ')})` });
    });
    if (a === b) errors.push({ path: 'report.heatmap', message: 'needs two different parameters' });
    heatmap = [a, b];
  }

  if (errors.length) return { errors };
  return {
    spec: {
      name: raw.name,
      description: raw.description,
      base: raw.base ?? 'default',
      fixed,
      parameters,
      workloads,
      runner: raw.runner ?? 'host',
      seeds: raw.seeds ?? [1],
      output: raw.output,
      heatmap,
    },
    errors,
  };
}

// ---------------------------------------------------------------------------
// Expansion into points
// ---------------------------------------------------------------------------

/** A workload with its text read, as expansion and runners need it. */
export interface LoadedWorkload extends WorkloadSpec {
  /** The path the runner reads from and diagnostics name. */
  readonly path: string;
  readonly source: string;
}

/** One (configuration, workload) pair to run. */
export interface SweepPoint {
  /** Position in the spec's order: configuration-major, workloads inner. */
  readonly index: number;
  readonly id: string;
  /** Same for every workload of one configuration; shards are drawn by it. */
  readonly configId: string;
  readonly configIndex: number;
  readonly workload: number;
  /** The swept values of this point, by parameter name. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The configuration to validate: the base with fixed and swept fields replaced (meshDataflow removed). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly meshDataflow?: 'ws' | 'os';
}

function hash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Every point of the grid, in order. The configurations' name is the sweep's. */
export function expandPoints(spec: SweepSpec, base: GemminiConfig, workloads: readonly LoadedWorkload[]): SweepPoint[] {
  const combos: Record<string, ParamValue>[] = [{}];
  for (const p of spec.parameters) {
    const next: Record<string, ParamValue>[] = [];
    for (const c of combos) for (const v of p.values) next.push({ ...c, [p.name]: v });
    combos.splice(0, combos.length, ...next);
  }
  const workloadKeys = workloads.map((w) => ({
    name: w.name,
    source: createHash('sha256').update(w.source).digest('hex'),
    sizes: w.sizes,
    entry: w.entry,
  }));
  const points: SweepPoint[] = [];
  combos.forEach((params, configIndex) => {
    const { [MESH_DATAFLOW]: mesh, ...configFields } = { ...spec.fixed, ...params } as Record<string, ParamValue>;
    const config = { ...base, name: spec.name, description: undefined, ...configFields };
    delete (config as { description?: string }).description;
    const meshDataflow = mesh as 'ws' | 'os' | undefined;
    const configId = hash({ config, meshDataflow });
    workloads.forEach((_, w) => {
      points.push({
        index: points.length,
        id: hash({ config, meshDataflow, workload: workloadKeys[w], runner: spec.runner, seeds: spec.seeds }),
        configId,
        configIndex,
        workload: w,
        params,
        config,
        meshDataflow,
      });
    });
  });
  return points;
}

/** `--shard i/n`: 1 <= i <= n. */
export function parseShard(text: string): { index: number; count: number } | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard expects I/N (for example 2/4), got '${text}'`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return `--shard ${text}: I must be between 1 and N`;
  return { index, count };
}

/**
 * Whether a point belongs to shard i of n. Drawn from the configuration's id,
 * not the point's position, so that one configuration's workloads stay on one
 * machine (its host model is built once) and a shard keeps its points when
 * the spec grows.
 */
export function inShard(point: SweepPoint, shard: { index: number; count: number }): boolean {
  return Number.parseInt(point.configId.slice(0, 8), 16) % shard.count === shard.index - 1;
}
