import { hasEscapes, parseAnsiLine, PLAIN, type AnsiState } from "./ansi";

/**
 * A log split into lines, kept up to date as the log grows. A live log only
 * ever grows at its end, so each update parses the new tail alone: a 100,000
 * line log costs one pass, not one pass per chunk.
 *
 * Mutable on purpose (the viewer keeps one per mounted log): copying arrays of
 * 100k lines on every websocket message is the cost this exists to avoid.
 */
export class LogBuffer {
  /** The text parsed so far. */
  private source = "";
  /** Raw lines, escape sequences included; the last is the one still being written. */
  readonly lines: string[] = [""];
  /** The ANSI state each line starts in: colours carry over from line to line. */
  readonly starts: AnsiState[] = [PLAIN];
  /** Characters shown by the longest line: every row is made that wide, so the gutter can stick. */
  widest = 0;

  /**
   * Brings the buffer up to `text` and returns how many rows it shows: every
   * line, less the empty one after a final newline.
   */
  update(text: string): number {
    if (text !== this.source) {
      if (!text.startsWith(this.source)) this.reset();
      this.append(text.slice(this.source.length));
      this.source = text;
    }
    return this.rowCount();
  }

  rowCount(): number {
    return this.lines[this.lines.length - 1] === "" ? this.lines.length - 1 : this.lines.length;
  }

  /** Whether row `index` is followed by a newline in the text. */
  endsWithNewline(index: number): boolean {
    return index < this.lines.length - 1;
  }

  private reset(): void {
    this.source = "";
    this.lines.length = 0;
    this.lines.push("");
    this.starts.length = 0;
    this.starts.push(PLAIN);
    this.widest = 0;
  }

  private append(chunk: string): void {
    // The unfinished last line is parsed again with its continuation, so an
    // escape sequence cut between two chunks is read whole.
    const last = this.lines.length - 1;
    const parts = ((this.lines[last] ?? "") + chunk).split("\n");
    let state = this.starts[last] ?? PLAIN;
    this.lines.length = last;
    this.starts.length = last;
    for (const line of parts) {
      this.lines.push(line);
      this.starts.push(state);
      // Only a line with escapes or control characters needs the parser; most are taken as they are.
      if (hasEscapes(line)) {
        const { spans, end } = parseAnsiLine(line, state);
        state = end;
        this.widest = Math.max(this.widest, spans.reduce((width, span) => width + span.text.length, 0));
      } else {
        this.widest = Math.max(this.widest, line.length);
      }
    }
  }
}
