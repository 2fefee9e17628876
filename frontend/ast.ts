// The AST of a .tc file. Every node keeps the character span it came from so
// that any later check can point at the source.

export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly isInt: boolean; readonly span: Span }
  | { readonly kind: 'var'; readonly name: string; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '/' | '@'; readonly lhs: Expr; readonly rhs: Expr; readonly span: Span }
  | { readonly kind: 'neg'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'call'; readonly callee: string; readonly calleeSpan: Span; readonly args: readonly Arg[]; readonly span: Span }
  | { readonly kind: 'index'; readonly name: string; readonly nameSpan: Span; readonly indices: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly span: Span };

export interface Arg {
  readonly name?: string;
  readonly value: Expr;
  readonly span: Span;
}

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export type ReduceOp = '=' | '+=' | 'max=' | 'min=';

export type Stmt =
  | { readonly kind: 'assign'; readonly target: Ident; readonly value: Expr; readonly span: Span }
  | {
      readonly kind: 'indexAssign';
      readonly target: Ident;
      readonly indices: readonly Ident[];
      readonly op: ReduceOp;
      readonly opSpan: Span;
      readonly value: Expr;
      readonly ranges: readonly { readonly index: Ident; readonly bound: Expr; readonly span: Span }[];
      readonly span: Span;
    }
  | { readonly kind: 'return'; readonly values: readonly Expr[]; readonly span: Span };

export interface TypeExpr {
  readonly dtype: Ident;
  readonly dims: readonly Expr[];
  readonly span: Span;
}

export interface Param {
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly span: Span;
}

export interface FuncDef {
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly results: readonly TypeExpr[];
  readonly body: readonly Stmt[];
  readonly span: Span;
}

export interface LetSize {
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export interface ProgramAst {
  readonly lets: readonly LetSize[];
  readonly funcs: readonly FuncDef[];
}
