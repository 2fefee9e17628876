// Gemmini accelerator configurations: the TypeScript type, its JSON Schema,
// validation (schema via ajv, then semantic checks) and the derived parameters
// that gemmini_params.h, the passes and the cost model use.
//
// Contract: validateConfig never throws for a user's mistake; it returns every
// problem it finds as { path, message } with the field named and the allowed
// range spelled out. A returned config has every optional field filled in.
//
// Hardware facts cite Gemmini's sources: Configs.scala (defaultConfig) and
// GemminiConfigs.scala (GemminiArrayConfig's requirements and header generator).

import type { ErrorObject } from 'ajv';
import { validatorOf, type SchemaValidator } from '../ir/json-schema.js';

export type DataType = 'int8' | 'int32' | 'float32';
export type Dataflow = 'OS' | 'WS' | 'both';
// Activation codes of CONFIG_EX/CONFIG_ST: 0 none, 1 relu, 2 layernorm, 3 igelu,
// 4 softmax (the last three exist when has_nonlinear_activations is set).
export type Activation = 'none' | 'relu' | 'layernorm' | 'igelu' | 'softmax';

export const DATA_TYPES: readonly DataType[] = ['int8', 'int32', 'float32'];
export const DATAFLOWS: readonly Dataflow[] = ['OS', 'WS', 'both'];
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'layernorm', 'igelu', 'softmax'];

/** A complete, validated accelerator configuration (every optional field filled in). */
export interface GemminiConfig {
  readonly name: string;
  readonly description?: string;
  readonly dim: number;
  readonly tileRows: number;
  readonly tileColumns: number;
  readonly inputType: DataType;
  readonly accType: DataType;
  readonly outputType: DataType;
  readonly spatialArrayOutputBits: number;
  readonly dataflow: Dataflow;
  readonly scratchpadKiB: number;
  readonly scratchpadBanks: number;
  readonly accumulatorKiB: number;
  readonly accumulatorBanks: number;
  readonly scratchpadSinglePorted: boolean;
  readonly accumulatorSinglePorted: boolean;
  readonly dmaBusWidthBits: number;
  readonly dmaMaxBytes: number;
  readonly maxInFlightRequests: number;
  readonly memLatencyCycles: number;
  readonly activations: readonly Activation[];
  readonly hasLoopWs: boolean;
  readonly hasLoopConv: boolean;
  readonly hasMvinScale: boolean;
  readonly hasMvinAccScale: boolean;
  readonly accReadFullWidth: boolean;
  readonly ldReservationEntries: number;
  readonly exReservationEntries: number;
  readonly stReservationEntries: number;
  readonly ldQueueLength: number;
  readonly exQueueLength: number;
  readonly stQueueLength: number;
}

/** One problem with a configuration: the field it concerns ('' = the whole file) and what is wrong. */
export interface ConfigError {
  readonly path: string;
  readonly message: string;
}

export function formatConfigError(error: ConfigError): string {
  return error.path === '' ? error.message : `${error.path}: ${error.message}`;
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

export function bytesOf(type: DataType): number {
  switch (type) {
    case 'int8':
      return 1;
    case 'int32':
    case 'float32':
      return 4;
    default:
      return unreachable(type);
  }
}

export function bitsOf(type: DataType): number {
  return bytesOf(type) * 8;
}

export function isFloat(type: DataType): boolean {
  switch (type) {
    case 'int8':
    case 'int32':
      return false;
    case 'float32':
      return true;
    default:
      return unreachable(type);
  }
}

// ---------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------

function powersOfTwo(lowest: number, highest: number): number[] {
  const values: number[] = [];
  for (let v = lowest; v <= highest; v *= 2) values.push(v);
  return values;
}

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const NAME_PATTERN_TEXT = "a name of letters, digits, '_', '-' and '.' starting with a letter or digit";

// Optional fields and their defaults. Every default is the value of Gemmini's
// defaultConfig (Configs.scala) unless marked otherwise.
// spatialArrayOutputBits has no fixed default: 20 for int8 inputs
// (Configs.scala: spatialArrayOutputType = SInt(20.W)), 32 for float32.
export const DEFAULT_SPATIAL_OUTPUT_BITS_INT8 = 20;

const OPTIONAL_DEFAULTS = {
  tileRows: 1, // Configs.scala: tileRows = 1
  tileColumns: 1, // Configs.scala: tileColumns = 1
  scratchpadSinglePorted: true, // Configs.scala: sp_singleported = true
  accumulatorSinglePorted: false, // Configs.scala: acc_singleported = false
  dmaBusWidthBits: 128, // Configs.scala: dma_buswidth = 128
  dmaMaxBytes: 64, // Configs.scala: dma_maxbytes = 64
  maxInFlightRequests: 16, // Configs.scala: max_in_flight_mem_reqs = 16
  // tc assumption, not a Gemmini parameter (it depends on the SoC): the order of
  // a DRAM round trip behind Chipyard's L2 at about 1 GHz.
  memLatencyCycles: 100,
  // Configs.scala: has_nonlinear_activations = true adds layernorm/igelu/softmax.
  activations: ['none', 'relu', 'layernorm', 'igelu', 'softmax'] as readonly Activation[],
  hasLoopWs: true, // Gemmini always instantiates LoopMatmul
  hasLoopConv: true, // GemminiArrayConfig: has_loop_conv defaults to true
  hasMvinScale: true, // Configs.scala: mvin_scale_args = Some(... Float(8, 24) ...)
  hasMvinAccScale: false, // Configs.scala: mvin_scale_acc_args = None
  accReadFullWidth: true, // Configs.scala: acc_read_full_width = true
  ldReservationEntries: 8, // Configs.scala: reservation_station_entries_ld = 8
  exReservationEntries: 16, // Configs.scala: reservation_station_entries_ex = 16
  stReservationEntries: 4, // Configs.scala: reservation_station_entries_st = 4
  ldQueueLength: 8, // Configs.scala: ld_queue_length = 8
  exQueueLength: 8, // Configs.scala: ex_queue_length = 8
  stQueueLength: 2, // Configs.scala: st_queue_length = 2
} as const;

const REQUIRED_FIELDS = [
  'name',
  'dim',
  'inputType',
  'accType',
  'outputType',
  'dataflow',
  'scratchpadKiB',
  'scratchpadBanks',
  'accumulatorKiB',
  'accumulatorBanks',
] as const;

function integerField(description: string, minimum: number, maximum: number, defaultValue?: number) {
  return defaultValue === undefined
    ? { type: 'integer', minimum, maximum, description }
    : { type: 'integer', minimum, maximum, default: defaultValue, description };
}

function booleanField(description: string, defaultValue: boolean) {
  return { type: 'boolean', default: defaultValue, description };
}

/** The JSON Schema (draft-07) of a configuration file. `tc configs schema` prints it. */
export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'tc Gemmini accelerator configuration',
  description:
    'One Gemmini configuration: array size, data types, memories, DMA and the timing parameters of the host model. ' +
    'Fields left out take the values of Gemmini\'s defaultConfig (Configs.scala).',
  type: 'object',
  additionalProperties: false,
  required: [...REQUIRED_FIELDS],
  properties: {
    $schema: { type: 'string', description: 'URL or path of this schema, for editors. Ignored by tc.' },
    name: {
      type: 'string',
      pattern: NAME_PATTERN,
      maxLength: 64,
      description: 'Name of the configuration, used in reports and in the gemmini_params.h header comment.',
    },
    description: { type: 'string', maxLength: 1000, description: 'Free text for the reader. Ignored by tc.' },
    dim: {
      type: 'integer',
      enum: powersOfTwo(2, 256),
      description:
        'DIM: rows = columns of the square systolic array in processing elements (Gemmini: meshRows × tileRows). ' +
        'One scratchpad row holds DIM input elements. GemminiConfigs.scala requires a power of two of at least 2.',
    },
    tileRows: integerField(
      'Rows of processing elements in one combinational tile (Gemmini: tileRows); must divide dim. Mesh rows = dim / tileRows.',
      1,
      256,
      OPTIONAL_DEFAULTS.tileRows,
    ),
    tileColumns: integerField(
      'Columns of processing elements in one combinational tile (Gemmini: tileColumns); must divide dim.',
      1,
      256,
      OPTIONAL_DEFAULTS.tileColumns,
    ),
    inputType: {
      type: 'string',
      enum: [...DATA_TYPES],
      description: 'Type of scratchpad elements and array inputs (Gemmini: inputType; C: elem_t). Supported: int8, float32.',
    },
    accType: {
      type: 'string',
      enum: [...DATA_TYPES],
      description: 'Type of accumulator elements (Gemmini: accType; C: acc_t). int32 with int8 inputs, float32 with float32 inputs.',
    },
    outputType: {
      type: 'string',
      enum: [...DATA_TYPES],
      description:
        'Type written by a scaled mvout from the accumulator (after acc scale, saturation and activation): int8 with int8 inputs, float32 with float32 inputs.',
    },
    spatialArrayOutputBits: integerField(
      'Width in bits of the partial sums inside the systolic array (Gemmini: spatialArrayOutputType; 20 in the default config). ' +
        'Integer configs: at least twice the input width and at most the accumulator width. Float32 configs: 32. ' +
        'Default: 20 for int8 inputs, 32 for float32.',
      8,
      32,
    ),
    dataflow: {
      type: 'string',
      enum: [...DATAFLOWS],
      description: 'Dataflows the array supports: OS (output-stationary), WS (weight-stationary) or both (Gemmini: dataflow).',
    },
    scratchpadKiB: integerField(
      'Scratchpad capacity in KiB (Gemmini: sp_capacity). Rows are DIM × sizeof(elem_t) bytes.',
      1,
      65536,
    ),
    scratchpadBanks: integerField('Number of scratchpad banks (Gemmini: sp_banks).', 1, 64),
    accumulatorKiB: integerField(
      'Accumulator capacity in KiB (Gemmini: acc_capacity). Rows are DIM × sizeof(acc_t) bytes.',
      1,
      65536,
    ),
    accumulatorBanks: integerField('Number of accumulator banks (Gemmini: acc_banks).', 1, 64),
    scratchpadSinglePorted: booleanField(
      'Whether each scratchpad bank has one port shared by reads and writes (Gemmini: sp_singleported). Timing only.',
      OPTIONAL_DEFAULTS.scratchpadSinglePorted,
    ),
    accumulatorSinglePorted: booleanField(
      'Whether each accumulator bank has one port shared by reads and writes (Gemmini: acc_singleported). Timing only.',
      OPTIONAL_DEFAULTS.accumulatorSinglePorted,
    ),
    dmaBusWidthBits: {
      type: 'integer',
      enum: powersOfTwo(32, 1024),
      default: OPTIONAL_DEFAULTS.dmaBusWidthBits,
      description: 'Width of the DMA data bus in bits; the DMA moves this many bits per cycle (Gemmini: dma_buswidth).',
    },
    dmaMaxBytes: integerField(
      'Largest DMA request in bytes (Gemmini: dma_maxbytes; MAX_BYTES in gemmini_params.h). ' +
        'Must be a whole number of bus beats and a multiple of one scratchpad row, or divide a row evenly.',
      1,
      4096,
      OPTIONAL_DEFAULTS.dmaMaxBytes,
    ),
    maxInFlightRequests: integerField(
      'DMA memory requests that may be outstanding at once (Gemmini: max_in_flight_mem_reqs).',
      1,
      1024,
      OPTIONAL_DEFAULTS.maxInFlightRequests,
    ),
    memLatencyCycles: integerField(
      'Cycles from issuing a DMA request to its first data beat. Not a Gemmini parameter (it depends on the SoC); used by the host model\'s timing.',
      0,
      100000,
      OPTIONAL_DEFAULTS.memLatencyCycles,
    ),
    activations: {
      type: 'array',
      items: { type: 'string', enum: [...ACTIVATIONS] },
      uniqueItems: true,
      default: [...OPTIONAL_DEFAULTS.activations],
      description:
        'Activation functions applied on mvout; must include none. layernorm, igelu and softmax exist when Gemmini\'s has_nonlinear_activations is set.',
    },
    hasLoopWs: booleanField('Whether the LOOP_WS matmul unroller exists (funct 8-13).', OPTIONAL_DEFAULTS.hasLoopWs),
    hasLoopConv: booleanField(
      'Whether the LOOP_CONV_WS convolution unroller exists (funct 15-21; Gemmini: has_loop_conv).',
      OPTIONAL_DEFAULTS.hasLoopConv,
    ),
    hasMvinScale: booleanField(
      'Whether an mvin into the scratchpad can multiply by a float32 scale (Gemmini: mvin_scale_args; C: HAS_MVIN_SCALE).',
      OPTIONAL_DEFAULTS.hasMvinScale,
    ),
    hasMvinAccScale: booleanField(
      'Whether an mvin into the accumulator can multiply by a float32 scale (Gemmini: mvin_scale_acc_args; C: HAS_MVIN_ACC_SCALE).',
      OPTIONAL_DEFAULTS.hasMvinAccScale,
    ),
    accReadFullWidth: booleanField(
      'Whether mvout can read full-width accumulator rows, unscaled (local address bit 29; Gemmini: acc_read_full_width).',
      OPTIONAL_DEFAULTS.accReadFullWidth,
    ),
    ldReservationEntries: integerField(
      'Reservation-station entries for load instructions (Gemmini: reservation_station_entries_ld).',
      1,
      256,
      OPTIONAL_DEFAULTS.ldReservationEntries,
    ),
    exReservationEntries: integerField(
      'Reservation-station entries for execute instructions (Gemmini: reservation_station_entries_ex).',
      1,
      256,
      OPTIONAL_DEFAULTS.exReservationEntries,
    ),
    stReservationEntries: integerField(
      'Reservation-station entries for store instructions (Gemmini: reservation_station_entries_st).',
      1,
      256,
      OPTIONAL_DEFAULTS.stReservationEntries,
    ),
    ldQueueLength: integerField(
      'Length of the load controller\'s command queue (Gemmini: ld_queue_length).',
      1,
      256,
      OPTIONAL_DEFAULTS.ldQueueLength,
    ),
    exQueueLength: integerField(
      'Length of the execute controller\'s command queue (Gemmini: ex_queue_length).',
      1,
      256,
      OPTIONAL_DEFAULTS.exQueueLength,
    ),
    stQueueLength: integerField(
      'Length of the store controller\'s command queue (Gemmini: st_queue_length).',
      1,
      256,
      OPTIONAL_DEFAULTS.stQueueLength,
    ),
  },
} as const;

/** Every field a configuration file may hold ($schema and description are annotations). */
export const CONFIG_FIELDS: readonly string[] = Object.keys(CONFIG_SCHEMA.properties);

// ---------------------------------------------------------------------------
// Schema errors → messages a hardware designer reads
// ---------------------------------------------------------------------------

interface PropertySchema {
  readonly type?: string;
  readonly enum?: readonly (string | number)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: PropertySchema;
  readonly uniqueItems?: boolean;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function quoted(values: readonly (string | number)[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** What a value of this schema must be, in words: "a power of two between 2 and 256". */
function describeAllowed(schema: PropertySchema): string {
  if (schema.enum !== undefined) {
    const values = schema.enum;
    const numbers = values.filter((v): v is number => typeof v === 'number');
    const consecutivePowers =
      numbers.length === values.length &&
      numbers.length > 1 &&
      numbers.every((v, i) => isPowerOfTwo(v) && (i === 0 || v === numbers[i - 1] * 2));
    if (consecutivePowers) return `a power of two between ${numbers[0]} and ${numbers[numbers.length - 1]}`;
    return `one of ${quoted(values)}`;
  }
  switch (schema.type) {
    case 'integer':
      if (schema.minimum !== undefined && schema.maximum !== undefined)
        return `an integer between ${schema.minimum} and ${schema.maximum}`;
      if (schema.minimum !== undefined) return `an integer of at least ${schema.minimum}`;
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'string':
      if (schema.pattern === NAME_PATTERN) return `${NAME_PATTERN_TEXT}, at most ${schema.maxLength} characters`;
      if (schema.maxLength !== undefined) return `a string of at most ${schema.maxLength} characters`;
      return 'a string';
    case 'array': {
      const items = schema.items;
      if (items?.enum !== undefined)
        return `a list of ${schema.uniqueItems === true ? 'distinct ' : ''}values from ${quoted(items.enum)}`;
      return 'a list';
    }
    case 'object':
      return 'a JSON object';
    default:
      return 'a valid value';
  }
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a fractional number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** "got 0", "got "16" (a string)", "got 16.5 (a fractional number)". */
function got(value: unknown, schema: PropertySchema): string {
  const matchesType =
    (schema.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) ||
    (schema.type === 'string' && typeof value === 'string') ||
    (schema.type === 'boolean' && typeof value === 'boolean') ||
    (schema.type === 'array' && Array.isArray(value));
  return matchesType || value === null ? `got ${preview(value)}` : `got ${preview(value)} (${jsonTypeName(value)})`;
}

// Gemmini's Scala parameter names, so that a designer pasting from Configs.scala
// is told the tc name.
const GEMMINI_NAMES: Readonly<Record<string, string>> = {
  meshRows: 'dim',
  meshColumns: 'dim',
  sp_capacity: 'scratchpadKiB',
  sp_banks: 'scratchpadBanks',
  acc_capacity: 'accumulatorKiB',
  acc_banks: 'accumulatorBanks',
  sp_singleported: 'scratchpadSinglePorted',
  acc_singleported: 'accumulatorSinglePorted',
  dma_maxbytes: 'dmaMaxBytes',
  dma_buswidth: 'dmaBusWidthBits',
  max_in_flight_mem_reqs: 'maxInFlightRequests',
  max_in_flight_reqs: 'maxInFlightRequests',
  spatialArrayOutputType: 'spatialArrayOutputBits',
  reservation_station_entries_ld: 'ldReservationEntries',
  reservation_station_entries_ex: 'exReservationEntries',
  reservation_station_entries_st: 'stReservationEntries',
  mvin_scale_args: 'hasMvinScale',
  mvin_scale_acc_args: 'hasMvinAccScale',
  has_nonlinear_activations: 'activations',
};

function normalizedFieldName(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known field an unknown one most likely meant, if any. */
export function suggestField(unknown: string): string | undefined {
  const fromGemmini = GEMMINI_NAMES[unknown];
  if (fromGemmini !== undefined) return fromGemmini;
  const wanted = normalizedFieldName(unknown);
  let best: { field: string; distance: number } | undefined;
  for (const field of CONFIG_FIELDS) {
    const candidate = normalizedFieldName(field);
    const distance = editDistance(wanted, candidate);
    const allowed = Math.max(1, Math.floor(candidate.length / 4));
    const isPrefix = wanted.length >= 4 && candidate.startsWith(wanted);
    if ((distance <= allowed || isPrefix) && (best === undefined || distance < best.distance)) {
      best = { field, distance };
    }
  }
  return best?.field;
}

function unknownFieldMessage(field: string): string {
  const suggestion = suggestField(field);
  if (suggestion === undefined) return `unknown field '${field}'`;
  if (GEMMINI_NAMES[field] !== undefined)
    return `unknown field '${field}' (Gemmini's ${field} is '${suggestion}' in tc configurations)`;
  return `unknown field '${field}' (did you mean '${suggestion}'?)`;
}

function pathOf(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function schemaAt(segments: readonly string[]): PropertySchema | undefined {
  let schema: PropertySchema | undefined = CONFIG_SCHEMA as PropertySchema;
  for (const segment of segments) {
    if (schema === undefined) return undefined;
    if (/^\d+$/.test(segment)) schema = schema.items;
    else schema = (CONFIG_SCHEMA.properties as Record<string, PropertySchema>)[segment];
  }
  return schema;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function decodePointer(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function messagesFromSchemaErrors(errors: readonly ErrorObject[], input: unknown): ConfigError[] {
  const result: ConfigError[] = [];
  const reported = new Set<string>();
  const report = (path: string, message: string) => {
    if (reported.has(path)) return;
    reported.add(path);
    result.push({ path, message });
  };
  for (const error of errors) {
    const segments = decodePointer(error.instancePath);
    switch (error.keyword) {
      case 'required': {
        const field = (error.params as { missingProperty: string }).missingProperty;
        const schema = schemaAt([...segments, field]);
        const allowed = schema === undefined ? '' : ` (${describeAllowed(schema)})`;
        report(pathOf([...segments, field]), `missing required field '${field}'${allowed}`);
        break;
      }
      case 'additionalProperties': {
        const field = (error.params as { additionalProperty: string }).additionalProperty;
        report(pathOf([...segments, field]), unknownFieldMessage(field));
        break;
      }
      case 'uniqueItems': {
        const { j } = error.params as { i: number; j: number };
        const list = valueAt(input, segments) as unknown[];
        report(pathOf(segments), `${preview(list[j])} is listed twice`);
        break;
      }
      default: {
        const schema = schemaAt(segments);
        const value = valueAt(input, segments);
        if (segments.length === 0) {
          report('', `a configuration must be a JSON object, ${got(value, { type: 'object' })}`);
        } else if (schema !== undefined) {
          report(pathOf(segments), `must be ${describeAllowed(schema)}, ${got(value, schema)}`);
        } else {
          report(pathOf(segments), error.message ?? 'invalid value');
        }
      }
    }
  }
  return result;
}

/** The configuration schema's validator (saved by the build: ir/json-schema.ts). */
export const CONFIG_VALIDATOR: SchemaValidator = { schema: CONFIG_SCHEMA, options: { allErrors: true, strict: true }, saved: new URL('./config.schema.cjs', import.meta.url) };
const validateSchema = validatorOf(CONFIG_VALIDATOR);

// ---------------------------------------------------------------------------
// Semantic checks (need a schema-valid configuration)
// ---------------------------------------------------------------------------

const SUPPORTED_TYPE_COMBINATIONS: readonly { input: DataType; acc: DataType; output: DataType }[] = [
  { input: 'int8', acc: 'int32', output: 'int8' }, // Configs.scala defaultConfig
  { input: 'float32', acc: 'float32', output: 'float32' }, // ConfigsFP.scala FP32DefaultConfig
];

const COMBINATIONS_TEXT = `supported inputType/accType/outputType: ${SUPPORTED_TYPE_COMBINATIONS.map(
  (c) => `${c.input}/${c.acc}/${c.output}`,
).join(', ')}`;

function checkTypes(c: GemminiConfig): ConfigError[] {
  const forInput = SUPPORTED_TYPE_COMBINATIONS.find((t) => t.input === c.inputType);
  if (forInput === undefined)
    return [{ path: 'inputType', message: `${c.inputType} inputs are not supported (${COMBINATIONS_TEXT})` }];
  const errors: ConfigError[] = [];
  if (c.accType !== forInput.acc)
    errors.push({
      path: 'accType',
      message: `with inputType ${c.inputType} the accumulator type must be ${forInput.acc}, got ${c.accType} (${COMBINATIONS_TEXT})`,
    });
  if (c.outputType !== forInput.output)
    errors.push({
      path: 'outputType',
      message: `with inputType ${c.inputType} the output type must be ${forInput.output}, got ${c.outputType} (${COMBINATIONS_TEXT})`,
    });
  return errors;
}

function checkTilesAndActivations(c: GemminiConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const field of ['tileRows', 'tileColumns'] as const) {
    if (c.dim % c[field] !== 0)
      errors.push({
        path: field,
        message: `must divide dim (${c.dim}) so that the mesh is made of whole tiles, got ${c[field]}`,
      });
  }
  if (!c.activations.includes('none'))
    errors.push({ path: 'activations', message: 'must include "none" (activation code 0, used by every plain mvout)' });
  return errors;
}

function checkSpatialArrayOutputBits(c: GemminiConfig): ConfigError[] {
  if (isFloat(c.inputType)) {
    if (c.spatialArrayOutputBits === 32) return [];
    return [
      {
        path: 'spatialArrayOutputBits',
        message: `a ${c.inputType} array adds in float32; must be 32 or left out, got ${c.spatialArrayOutputBits}`,
      },
    ];
  }
  const productBits = 2 * bitsOf(c.inputType);
  const accBits = bitsOf(c.accType);
  if (c.spatialArrayOutputBits >= productBits && c.spatialArrayOutputBits <= accBits) return [];
  return [
    {
      path: 'spatialArrayOutputBits',
      message:
        `must be between ${productBits} (one ${c.inputType} × ${c.inputType} product) and ${accBits} ` +
        `(accType ${c.accType}), got ${c.spatialArrayOutputBits}`,
    },
  ];
}

interface MemoryFacts {
  readonly kibField: 'scratchpadKiB' | 'accumulatorKiB';
  readonly banksField: 'scratchpadBanks' | 'accumulatorBanks';
  readonly what: string;
  readonly rowBytes: number;
  readonly rowText: string;
  readonly minRows: number;
  readonly minRowsText: string;
  readonly powerOfTwoBankRows: boolean;
}

// One problem per memory: later checks assume the earlier ones passed.
function checkMemory(c: GemminiConfig, m: MemoryFacts): ConfigError[] {
  const kib = c[m.kibField];
  const banks = c[m.banksField];
  const totalRows = (kib * 1024) / m.rowBytes; // whole: rowBytes is a power of two ≤ 1024
  if (totalRows < m.minRows) {
    const neededKiB = (m.minRows * m.rowBytes) / 1024;
    return [
      {
        path: m.kibField,
        message:
          `${kib} KiB holds ${totalRows} rows of ${m.rowText}, too small for ${m.minRowsText} ` +
          `(${m.minRows} rows, ${neededKiB} KiB)`,
      },
    ];
  }
  if (totalRows % banks !== 0) {
    return [
      {
        path: m.banksField,
        message:
          `${banks} banks do not divide the ${m.what}'s ${totalRows} rows evenly ` +
          `(${(totalRows / banks).toFixed(2)} rows per bank); rows per bank must be a whole number`,
      },
    ];
  }
  const bankRows = totalRows / banks;
  // GemminiConfigs.scala: "the number of rows in a bank must be a multiple of the dimensions of the systolic array"
  if (bankRows % c.dim !== 0) {
    return [
      {
        path: m.banksField,
        message:
          `${banks} banks of ${bankRows} rows: rows per bank must be a multiple of DIM (${c.dim}); ` +
          `use fewer banks or more ${m.kibField}`,
      },
    ];
  }
  // GemminiConfigs.scala: "each SRAM bank must have a power-of-2 rows"
  if (m.powerOfTwoBankRows && !isPowerOfTwo(bankRows)) {
    return [
      {
        path: m.kibField,
        message: `${kib} KiB in ${banks} banks gives ${bankRows} rows per bank; Gemmini needs a power of two rows per ${m.what} bank`,
      },
    ];
  }
  return [];
}

// At most one problem: the row rule is only worth reading once requests are whole beats.
function checkDma(c: GemminiConfig): ConfigError[] {
  const busBytes = c.dmaBusWidthBits / 8;
  if (c.dmaMaxBytes % busBytes !== 0)
    return [
      {
        path: 'dmaMaxBytes',
        message: `must be a whole number of ${busBytes}-byte bus beats (dmaBusWidthBits ${c.dmaBusWidthBits}), got ${c.dmaMaxBytes}`,
      },
    ];
  const rowBytes = c.dim * bytesOf(c.inputType);
  if (c.dmaMaxBytes % rowBytes !== 0 && rowBytes % c.dmaMaxBytes !== 0)
    return [
      {
        path: 'dmaMaxBytes',
        message:
          `must be a multiple of one scratchpad row (${rowBytes} bytes = DIM ${c.dim} × ${c.inputType}) ` +
          `or divide it evenly, got ${c.dmaMaxBytes}`,
      },
    ];
  return [];
}

function checkSemantics(c: GemminiConfig): ConfigError[] {
  const typeErrors = checkTypes(c);
  const errors = [...typeErrors, ...checkTilesAndActivations(c)];
  if (typeErrors.length > 0) return errors; // the remaining checks depend on the types
  errors.push(...checkSpatialArrayOutputBits(c));
  const elemBytes = bytesOf(c.inputType);
  const accBytes = bytesOf(c.accType);
  const tile = `${c.dim}×${c.dim}`;
  errors.push(
    ...checkMemory(c, {
      kibField: 'scratchpadKiB',
      banksField: 'scratchpadBanks',
      what: 'scratchpad',
      rowBytes: c.dim * elemBytes,
      rowText: `${c.dim * elemBytes} bytes (DIM ${c.dim} × ${c.inputType})`,
      minRows: 3 * c.dim,
      minRowsText: `one ${tile} tile each of A, B and C`,
      powerOfTwoBankRows: true,
    }),
    ...checkMemory(c, {
      kibField: 'accumulatorKiB',
      banksField: 'accumulatorBanks',
      what: 'accumulator',
      rowBytes: c.dim * accBytes,
      rowText: `${c.dim * accBytes} bytes (DIM ${c.dim} × ${c.accType})`,
      minRows: c.dim,
      minRowsText: `one ${tile} tile of ${c.accType} partial sums`,
      powerOfTwoBankRows: false,
    }),
    ...checkDma(c),
  );
  return errors;
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

// The casts are safe: the schema has checked every field present.
function withDefaults(input: Record<string, unknown>): GemminiConfig {
  const { $schema: _editorHint, ...fields } = input;
  const merged = { ...OPTIONAL_DEFAULTS, ...fields } as Omit<GemminiConfig, 'spatialArrayOutputBits'> & {
    spatialArrayOutputBits?: number;
  };
  return {
    ...merged,
    spatialArrayOutputBits:
      merged.spatialArrayOutputBits ?? (isFloat(merged.inputType) ? 32 : DEFAULT_SPATIAL_OUTPUT_BITS_INT8),
    activations: [...merged.activations],
  };
}

/**
 * Checks a parsed configuration file. Returns the configuration with defaults
 * filled in when there are no errors, otherwise every error found.
 * Schema errors come first; semantic checks run only on schema-valid input.
 */
export function validateConfig(json: unknown): { config?: GemminiConfig; errors: ConfigError[] } {
  if (!validateSchema(json)) {
    return { errors: messagesFromSchemaErrors(validateSchema.errors ?? [], json) };
  }
  const config = withDefaults(json as Record<string, unknown>);
  const errors = checkSemantics(config);
  return errors.length === 0 ? { config, errors } : { errors };
}

/** The numbers Gemmini's generated header and software derive from a configuration. */
export interface DerivedParams {
  readonly DIM: number;
  readonly MESH_ROWS: number;
  readonly MESH_COLS: number;
  readonly TILE_ROWS: number;
  readonly TILE_COLS: number;
  readonly ADDR_LEN: number;
  readonly BANK_NUM: number;
  readonly BANK_ROWS: number;
  readonly SP_ROWS: number;
  readonly ACC_BANKS: number;
  readonly ACC_BANK_ROWS: number;
  readonly ACC_ROWS: number;
  readonly MAX_BYTES: number;
  readonly MAX_BLOCK_LEN: number;
  readonly MAX_BLOCK_LEN_ACC: number;
  readonly ELEM_BYTES: number;
  readonly ACC_BYTES: number;
  readonly SP_ROW_BYTES: number;
  readonly ACC_ROW_BYTES: number;
  readonly DMA_BUS_BYTES: number;
}

export function derivedParams(config: GemminiConfig): DerivedParams {
  const elemBytes = bytesOf(config.inputType);
  const accBytes = bytesOf(config.accType);
  const spRowBytes = config.dim * elemBytes;
  const accRowBytes = config.dim * accBytes;
  // GemminiConfigs.scala: sp_bank_entries = KiB*1024*8 / (sp_banks * sp_width)
  const bankRows = (config.scratchpadKiB * 1024) / (config.scratchpadBanks * spRowBytes);
  const accBankRows = (config.accumulatorKiB * 1024) / (config.accumulatorBanks * accRowBytes);
  // GemminiConfigs.scala generateHeader: MAX_BYTES/(DIM*bytes) blocks when a row
  // fits in one request, otherwise 1.
  const blocks = (rowBytes: number) => Math.max(1, Math.floor(config.dmaMaxBytes / rowBytes));
  return {
    DIM: config.dim,
    MESH_ROWS: config.dim / config.tileRows,
    MESH_COLS: config.dim / config.tileColumns,
    TILE_ROWS: config.tileRows,
    TILE_COLS: config.tileColumns,
    ADDR_LEN: 32, // GemminiConfigs.scala generateHeader: ADDR_LEN 32
    BANK_NUM: config.scratchpadBanks,
    BANK_ROWS: bankRows,
    SP_ROWS: bankRows * config.scratchpadBanks,
    ACC_BANKS: config.accumulatorBanks,
    ACC_BANK_ROWS: accBankRows,
    ACC_ROWS: accBankRows * config.accumulatorBanks,
    MAX_BYTES: config.dmaMaxBytes,
    MAX_BLOCK_LEN: blocks(spRowBytes),
    MAX_BLOCK_LEN_ACC: blocks(accRowBytes),
    ELEM_BYTES: elemBytes,
    ACC_BYTES: accBytes,
    SP_ROW_BYTES: spRowBytes,
    ACC_ROW_BYTES: accRowBytes,
    DMA_BUS_BYTES: config.dmaBusWidthBits / 8,
  };
}
