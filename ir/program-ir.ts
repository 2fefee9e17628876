// Program IR: loops of Gemmini instructions with address expressions, plus
// the ops that run on the CPU. The C emitter prints it; nothing is decided
// after this level.
//
//   program @gemm dim=16 {
//     dram %a: i8[64, 64] input
//     dram %c: i8[64, 64] output
//     dram %v: i8[4096] temp alias %c
//     config_ex dataflow=ws act=none shift=0 a_transpose=0 b_transpose=0
//     config_ld chan=0 stride=64 scale=1
//     config_st stride=64 act=none scale=0.5
//     for i < 4 {
//       mvin chan=0 %a[1024*i] -> sp[0] rows=16 cols=64
//       preload sp[64] -> acc[0, accumulate if k > 0] rows=16 cols=16 c_rows=16 c_cols=16
//       compute.preloaded sp[0], garbage rows=16 cols=16 bd_rows=16 bd_cols=16
//       mvout acc[0] -> %c[1024*i] rows=16 cols=16
//     }
//     cpu %y: i8[4, 4] = relu %x
//     fence
//   }
//
// Local addresses are rows: `sp[ROW]` is a scratchpad row, `acc[ROW]` an
// accumulator row (with `accumulate`, `accumulate if COND` or `raw`, the
// full-width read of an mvout), `garbage` no operand. DRAM operands are
// `%buffer[OFFSET]`, OFFSET counted in elements of the buffer's dtype.
// Strides of config_ld / config_st are in bytes, as the hardware takes them.

import type { TensorOp } from './tensor-ir.js';
import type { TensorType } from './types.js';
import type { IExpr } from './iexpr.js';

export type LocalAddr =
  | { readonly space: 'garbage' }
  | { readonly space: 'sp'; readonly row: IExpr }
  | { readonly space: 'acc'; readonly row: IExpr; readonly accumulate: IExpr; readonly raw: boolean };

export interface DramRef {
  readonly buffer: string;
  readonly offset: IExpr;
}

export type Activation = 'none' | 'relu';
export type Dataflow = 'ws' | 'os';

export type Inst =
  | {
      readonly op: 'config_ex';
      readonly dataflow: Dataflow;
      readonly activation: Activation;
      readonly sysShift: number;
      readonly aTranspose: boolean;
      readonly bTranspose: boolean;
    }
  | { readonly op: 'config_ld'; readonly channel: number; readonly strideBytes: number; readonly scale: number }
  | { readonly op: 'config_st'; readonly strideBytes: number; readonly activation: Activation; readonly scale: number }
  | { readonly op: 'mvin'; readonly channel: number; readonly src: DramRef; readonly dst: LocalAddr; readonly rows: IExpr; readonly cols: IExpr }
  | { readonly op: 'mvout'; readonly src: LocalAddr; readonly dst: DramRef; readonly rows: IExpr; readonly cols: IExpr }
  | {
      readonly op: 'preload';
      readonly bd: LocalAddr;
      readonly c: LocalAddr;
      readonly bdRows: IExpr;
      readonly bdCols: IExpr;
      readonly cRows: IExpr;
      readonly cCols: IExpr;
    }
  | {
      readonly op: 'compute';
      /** compute.accumulated keeps the weights (WS) already in the array. */
      readonly accumulated: boolean;
      readonly a: LocalAddr;
      readonly bd: LocalAddr;
      readonly aRows: IExpr;
      readonly aCols: IExpr;
      readonly bdRows: IExpr;
      readonly bdCols: IExpr;
    }
  | {
      /**
       * Gemmini's hardware matmul unroller (LoopMatmul.scala): I x J x K blocks
       * of C = A @ B (+ D), placed by the unroller in one half of the
       * scratchpad and accumulator. An absent operand (or one whose `when`
       * is 0) is skipped: no D loads, or no C stores (the sums stay in the
       * accumulator for the next loop). Strides are in elements.
       */
      readonly op: 'loop_ws';
      readonly a: DramRef;
      readonly b: DramRef;
      readonly d?: DramRef & { readonly when: IExpr };
      readonly c?: DramRef & { readonly when: IExpr };
      readonly blocksI: IExpr;
      readonly blocksJ: IExpr;
      readonly blocksK: IExpr;
      readonly padI: IExpr;
      readonly padJ: IExpr;
      readonly padK: IExpr;
      readonly aStride: number;
      readonly bStride: number;
      readonly dStride: number;
      readonly cStride: number;
      /** C holds raw i32 sums (full_C); otherwise scaled i8. */
      readonly fullC: boolean;
      readonly exAccumulate: IExpr;
      readonly activation: Activation;
    }
  | { readonly op: 'fence' };

export type InstOp = Inst['op'];

export type ProgramStmt =
  /** A loop of `extent` trips; the extent may depend on enclosing loops (remainder tiles). */
  | { readonly kind: 'for'; readonly var: string; readonly extent: IExpr; readonly body: readonly ProgramStmt[] }
  | { readonly kind: 'inst'; readonly inst: Inst }
  | { readonly kind: 'cpu'; readonly op: TensorOp };

export type BufferRole = 'input' | 'output' | 'temp';

export interface DramBuffer {
  readonly name: string;
  readonly type: TensorType;
  readonly role: BufferRole;
  /** A view (reshape) of another buffer's bytes, same dtype and element count. */
  readonly aliasOf?: string;
}

export interface ProgramFunc {
  readonly name: string;
  readonly dim: number;
  readonly buffers: readonly DramBuffer[];
  readonly body: readonly ProgramStmt[];
}
