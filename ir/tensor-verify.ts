// Verifier of Tensor IR: SSA (each value defined once, before use), every op's
// declared type equal to what the type rules give, results as declared.

import { Diagnostics } from './diagnostics.js';
import { checkOpType, operandsOf, type TensorFunc } from './tensor-ir.js';
import { printOp } from './tensor-print.js';
import { formatType, isIntDType, sameType, type TensorType } from './types.js';

export function verifyTensorFunc(f: TensorFunc, diags: Diagnostics = new Diagnostics()): Diagnostics {
  const types = new Map<string, TensorType>();
  for (const p of f.params) {
    if (types.has(p.name)) diags.error(`parameter %${p.name} is declared twice`, f.loc);
    types.set(p.name, p.type);
  }
  for (const op of f.body) {
    const where = `in '${printOp(op)}'`;
    const missing = operandsOf(op).filter((o) => !types.has(o));
    if (missing.length > 0) {
      diags.error(`${missing.map((m) => '%' + m).join(', ')} used before definition ${where}`, op.loc);
    } else {
      const r = checkOpType(op, (n) => types.get(n) as TensorType);
      if (!r.ok) diags.error(`${r.error} ${where}`, op.loc);
      else if (!sameType(r.type, op.type))
        diags.error(`%${op.result} is declared ${formatType(op.type)} but the op produces ${formatType(r.type)} ${where}`, op.loc);
      if (op.kind === 'convert' && op.type.dtype === (types.get(op.input) as TensorType).dtype)
        diags.error(`convert to the same dtype ${op.type.dtype} ${where}`, op.loc);
      if (op.kind === 'const' && isIntDType(op.type.dtype) && !Number.isInteger(op.value))
        diags.error(`integer const ${op.value} ${where}`, op.loc);
    }
    if (types.has(op.result)) diags.error(`%${op.result} is defined twice (values are SSA)`, op.loc);
    types.set(op.result, op.type);
  }
  if (f.results.length !== f.resultTypes.length)
    diags.error(`@${f.name} returns ${f.results.length} values but declares ${f.resultTypes.length}`, f.loc);
  f.results.forEach((r, i) => {
    const t = types.get(r);
    const want = f.resultTypes[i];
    if (!t) diags.error(`returned value %${r} is not defined`, f.loc);
    else if (want && !sameType(t, want)) diags.error(`result ${i} %${r} is ${formatType(t)} but @${f.name} declares ${formatType(want)}`, f.loc);
  });
  return diags;
}
