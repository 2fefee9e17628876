// Diagnostics are data: collected and returned, never thrown for user mistakes.
// They travel from the parser to the last pass that can blame a source line.

export type Severity = 'error' | 'warning' | 'note';

/** A place in a source file; line and col are 1-based, length in characters. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly length?: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly loc?: SourceLoc;
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];
  error(message: string, loc?: SourceLoc): void {
    this.items.push({ severity: 'error', message, loc });
  }
  warning(message: string, loc?: SourceLoc): void {
    this.items.push({ severity: 'warning', message, loc });
  }
  note(message: string, loc?: SourceLoc): void {
    this.items.push({ severity: 'note', message, loc });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length;
  }
}

/** Offsets of line starts, for turning character offsets into line:col. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function locAt(file: string, text: string, starts: number[], offset: number, length?: number): SourceLoc {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { file, line: lo + 1, col: offset - starts[lo] + 1, length };
}

/**
 * `file:line:col: error: message`, then the source line and a caret under
 * the blamed columns (when the source text is known).
 */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>): string {
  if (!d.loc) return `tc: ${d.severity}: ${d.message}`;
  const { file, line, col } = d.loc;
  const head = `${file}:${line}:${col}: ${d.severity}: ${d.message}`;
  const text = sources.get(file);
  if (text === undefined) return head;
  const srcLine = text.split('\n')[line - 1];
  if (srcLine === undefined) return head;
  const shown = srcLine.replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(d.loc.length ?? 1, shown.length - col + 1));
  const caret = ' '.repeat(Math.max(0, col - 1)) + '^' + '~'.repeat(width - 1);
  const gutter = String(line).padStart(5);
  return `${head}\n${gutter} | ${shown}\n${' '.repeat(5)} | ${caret}`;
}
