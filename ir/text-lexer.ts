// A small lexer shared by the parsers of every IR level's text form.

import { Diagnostics, type SourceLoc } from './diagnostics.js';

export type TokenKind = 'value' | 'symbol' | 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

const PUNCT = ['->', '+=', '<=', '>=', '==', '!=', '>', '(', ')', '[', ']', '{', '}', ',', ':', '=', '<', '+', '-', '*'];

export function lex(text: string): { tokens: Token[]; error?: { line: number; col: number; message: string } } {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: text.slice(start, end), line, col: start - lineStart + 1 });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '%' || c === '@') {
      i++;
      while (i < text.length && /[A-Za-z0-9_.]/.test(text[i])) i++;
      if (i === start + 1) return { tokens, error: { line, col: start - lineStart + 1, message: `expected a name after '${c}'` } };
      push(c === '%' ? 'value' : 'symbol', start, i);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      // Dots join words of one name, as in compute.preloaded.
      while (i < text.length && /[A-Za-z0-9_.]/.test(text[i])) i++;
      push('ident', start, i);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9.]/.test(text[i])) i++;
      if ((text[i] === 'e' || text[i] === 'E') && /[-+0-9]/.test(text[i + 1] ?? '')) {
        i += 2;
        while (i < text.length && /[0-9]/.test(text[i])) i++;
      }
      push('number', start, i);
      continue;
    }
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      if (text[i] !== '"') return { tokens, error: { line, col: start - lineStart + 1, message: 'unterminated string' } };
      i++;
      push('string', start, i);
      continue;
    }
    const p = PUNCT.find((s) => text.startsWith(s, i));
    if (p) {
      i += p.length;
      push('punct', start, i);
      continue;
    }
    return { tokens, error: { line, col: start - lineStart + 1, message: `unexpected character '${c}'` } };
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return { tokens };
}

/** Thrown only inside a parser and caught at its entry point, where it becomes a diagnostic. */
export class ParseFailure extends Error {}

export class TokenStream {
  private pos = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly file: string,
    private readonly diags: Diagnostics,
  ) {}
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  locOf(t: Token): SourceLoc {
    return { file: this.file, line: t.line, col: t.col, length: Math.max(1, t.text.length) };
  }
  fail(message: string, t: Token = this.peek()): never {
    this.diags.error(message, this.locOf(t));
    throw new ParseFailure(message);
  }
  describe(t: Token): string {
    return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }
  isIdent(text?: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && (text === undefined || t.text === text);
  }
  eatPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }
  expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.fail(`expected '${text}' but found ${this.describe(this.peek())}`);
    return this.next();
  }
  expectIdent(what = 'a name', text?: string): Token {
    if (!this.isIdent(text)) this.fail(`expected ${text ? `'${text}'` : what} but found ${this.describe(this.peek())}`);
    return this.next();
  }
  expectKind(kind: TokenKind, what: string): Token {
    if (this.peek().kind !== kind) this.fail(`expected ${what} but found ${this.describe(this.peek())}`);
    return this.next();
  }
  /** An optionally signed number. */
  expectNumber(what = 'a number'): number {
    const neg = this.eatPunct('-');
    const t = this.expectKind('number', what);
    const v = Number(t.text);
    if (!Number.isFinite(v)) this.fail(`'${t.text}' is not a number`, t);
    return neg ? -v : v;
  }
  expectInt(what = 'an integer'): number {
    const t = this.peek();
    const v = this.expectNumber(what);
    if (!Number.isInteger(v)) this.fail(`expected ${what} but found ${v}`, t);
    return v;
  }
}

export interface ParseResult<T> {
  readonly value?: T;
  readonly diagnostics: Diagnostics;
}

/**
 * Lexes `text`, runs `parse` on its tokens, requires the end of input after
 * it, and turns lexing and parsing failures into diagnostics. Never throws
 * for bad input.
 */
export function parseText<T>(text: string, file: string, what: string, parse: (ts: TokenStream) => T): ParseResult<T> {
  const diags = new Diagnostics();
  const lexed = lex(text);
  if (lexed.error) {
    diags.error(lexed.error.message, { file, line: lexed.error.line, col: lexed.error.col });
    return { diagnostics: diags };
  }
  const ts = new TokenStream(lexed.tokens, file, diags);
  try {
    const value = parse(ts);
    if (ts.peek().kind !== 'eof') ts.fail(`expected end of input after the ${what} but found ${ts.describe(ts.peek())}`);
    return { value, diagnostics: diags };
  } catch (e) {
    if (e instanceof ParseFailure) return { diagnostics: diags };
    throw e;
  }
}
