// JSON Schema validators (ajv), one per schema. Loading ajv's compiler and
// compiling a schema costs about 45 ms of every command's start-up;
// `npm run build` saves each validator as standalone code beside its module
// (cli/copy-assets.mjs), which loads in a few. A saved validator carries the
// schema and options it was made from and is used only where those are the
// ones asked for now; otherwise (the TypeScript sources, a schema edited since
// the build) the schema is compiled.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Options, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** A schema, the ajv options it is compiled with, and where the build saves its validator (a .cjs file beside the module). */
export interface SchemaValidator {
  readonly schema: object;
  readonly options: Options;
  readonly saved: URL;
}

const madeFrom = (v: SchemaValidator): string => JSON.stringify([v.schema, v.options]);

/** The validator, from its saved code where that was made from this schema and these options, else compiled. */
export function validatorOf(v: SchemaValidator): ValidateFunction {
  const path = fileURLToPath(v.saved);
  if (existsSync(path)) {
    const saved = require(path) as ValidateFunction & { madeFrom?: string };
    if (saved.madeFrom === madeFrom(v)) return saved;
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(v.options).compile(v.schema);
}

/** The validator's standalone code (CommonJS), as the build saves it. */
export function savedValidator(v: SchemaValidator): string {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: InstanceType<typeof Ajv>, validate: ValidateFunction) => string }).default;
  const ajv = new Ajv({ ...v.options, code: { source: true } });
  return `${standaloneCode(ajv, ajv.compile(v.schema))}\nmodule.exports.madeFrom = ${JSON.stringify(madeFrom(v))};\n`;
}
