// A source file's text with the line index that turns spans into locations.

import { lineStarts, locAt, type SourceLoc } from '../ir/diagnostics.js';
import type { Span } from './ast.js';

export class SourceText {
  private readonly starts: number[];
  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.starts = lineStarts(text);
  }
  loc(span: Span): SourceLoc {
    return locAt(this.path, this.text, this.starts, span.start, Math.max(1, span.end - span.start));
  }
}
