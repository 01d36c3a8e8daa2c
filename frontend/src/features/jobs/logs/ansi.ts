/**
 * A pure parser for the ANSI escape sequences scripts print (colours from
 * `rich`, `chalk`, `tput`, progress bars). SGR (`ESC[…m`) sequences become a
 * style; every other escape sequence or control character is dropped so it
 * never reaches the page as garbage.
 */

/** 0–15: an entry of the themeable 16-colour palette; a string: a CSS colour. */
export type AnsiColor = number | string;

export interface AnsiState {
  readonly fg: AnsiColor | null;
  readonly bg: AnsiColor | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
  readonly strike: boolean;
}

export interface AnsiSpan {
  readonly text: string;
  readonly state: AnsiState;
}

export const PLAIN: AnsiState = Object.freeze({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
  strike: false,
});

/*
 * One alternation, tried left to right at each escape or control character:
 *   1. CSI: ESC [ params intermediates final (final optional: a cut-off line);
 *   2. OSC: ESC ] … up to BEL or ST (ESC \), or the end of the line;
 *   3. any other ESC sequence (charset selection, ESC M, ESC 7…);
 *   4. C0 controls other than tab and CR, and DEL;
 *   5. CR, which the parser turns into "overwrite the line" (progress bars).
 */
const TOKEN =
  // eslint-disable-next-line no-control-regex
  /\x1b\[([0-?]*)[ -/]*([@-~]|$)|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]|\r/g;

// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/** Whether a line needs the parser at all: most log lines are plain text. */
export function hasEscapes(line: string): boolean {
  return HAS_CONTROL.test(line);
}

/** The xterm 6×6×6 cube's channel levels (indices 16–231). */
const CUBE = [0, 95, 135, 175, 215, 255];

function hex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => Math.max(0, Math.min(255, c)).toString(16).padStart(2, "0")).join("")}`;
}

/** A 256-colour index as a palette entry (0–15) or a CSS colour; null if out of range. */
export function color256(n: number): AnsiColor | null {
  if (!Number.isInteger(n) || n < 0 || n > 255) return null;
  if (n < 16) return n;
  if (n < 232) {
    const i = n - 16;
    return hex(CUBE[Math.floor(i / 36)] ?? 0, CUBE[Math.floor(i / 6) % 6] ?? 0, CUBE[i % 6] ?? 0);
  }
  const gray = 8 + (n - 232) * 10;
  return hex(gray, gray, gray);
}

/**
 * Reads an extended colour (`5;n` or `2;r;g;b`) from `codes` after index `i`
 * (which holds 38 or 48). Returns the colour and how many codes it used.
 */
function extendedColor(codes: number[], i: number): [AnsiColor | null, number] {
  const mode = codes[i + 1];
  if (mode === 5) return [color256(codes[i + 2] ?? -1), 2];
  if (mode === 2) {
    const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]];
    if (r === undefined || g === undefined || b === undefined) return [null, 4];
    return [hex(r, g, b), 4];
  }
  return [null, 1];
}

/**
 * The codes of one SGR sequence. Colon sub-parameters (`38:2::r:g:b`, `4:3`)
 * are flattened to their semicolon form so one reader handles both.
 */
function sgrCodes(params: string): number[] {
  if (params === "") return [0];
  const codes: number[] = [];
  for (const param of params.split(";")) {
    if (!param.includes(":")) {
      codes.push(param === "" ? 0 : Number(param));
      continue;
    }
    const parts = param.split(":").map((p) => (p === "" ? NaN : Number(p)));
    const [head, mode] = parts;
    if ((head === 38 || head === 48) && mode === 2) codes.push(head, 2, ...parts.slice(-3));
    else if ((head === 38 || head === 48) && mode === 5) codes.push(head, 5, parts[2] ?? NaN);
    else if (head === 4) codes.push(mode === 0 ? 24 : 4); // 4:0 is "no underline", 4:n a style of one
    else if (head !== undefined) codes.push(head);
  }
  return codes;
}

/** The state after one SGR sequence (`params` is what sits between `ESC[` and `m`). */
export function applySgr(state: AnsiState, params: string): AnsiState {
  const codes = sgrCodes(params);
  let next: { -readonly [K in keyof AnsiState]: AnsiState[K] } = { ...state };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? NaN;
    if (code === 0) next = { ...PLAIN };
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4 || code === 21) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 9) next.strike = true;
    else if (code === 22) next.bold = next.dim = false;
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code === 29) next.strike = false;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code === 39) next.fg = null;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 49) next.bg = null;
    else if (code === 38 || code === 48) {
      const [color, used] = extendedColor(codes, i);
      if (color !== null) next[code === 38 ? "fg" : "bg"] = color;
      i += used;
    }
    // Anything else (blink, fonts, 58 underline colour…) is ignored.
  }
  return sameState(next, state) ? state : sameState(next, PLAIN) ? PLAIN : Object.freeze(next);
}

function sameState(a: AnsiState, b: AnsiState): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse &&
    a.strike === b.strike
  );
}

/**
 * One line (no "\n") as styled spans, from the state its previous line ended
 * in, and the state it ends in. Text after a CR replaces what came before it,
 * as a terminal would show a progress bar that rewrites its line.
 */
export function parseAnsiLine(line: string, start: AnsiState = PLAIN): { spans: AnsiSpan[]; end: AnsiState } {
  let state = start;
  if (!hasEscapes(line)) {
    return { spans: line === "" ? [] : [{ text: line, state }], end: state };
  }
  let spans: AnsiSpan[] = [];
  // Cleared lazily: a CR right before the end of the line ("…\r\n") erases nothing.
  let overwrite = false;
  const push = (text: string) => {
    if (text === "") return;
    if (overwrite) {
      spans = [];
      overwrite = false;
    }
    const last = spans[spans.length - 1];
    if (last !== undefined && last.state === state) spans[spans.length - 1] = { text: last.text + text, state };
    else spans.push({ text, state });
  };
  let from = 0;
  for (const match of line.matchAll(TOKEN)) {
    push(line.slice(from, match.index));
    from = match.index + match[0].length;
    if (match[0] === "\r") overwrite = true;
    // A private-parameter "m" (`ESC[>4;2m`, key modifiers) is not a style.
    else if (match[2] === "m" && !/^[<=>?]/.test(match[1] ?? "")) state = applySgr(state, match[1] ?? "");
  }
  push(line.slice(from));
  return { spans, end: state };
}

/** Text without any escape sequence or control character (what "Copy" and "Download" give). */
export function stripAnsi(text: string): string {
  return text.split("\n").map((line) => parseAnsiLine(line).spans.map((span) => span.text).join("")).join("\n");
}

export interface AnsiAppearance {
  className: string;
  color?: string;
  backgroundColor?: string;
}

/**
 * Classes for palette colours (themeable in CSS) and inline colours for
 * 256-colour and truecolor ones. Inverse swaps them, using the log's own
 * colours for a side left at its default.
 */
export function ansiAppearance(state: AnsiState): AnsiAppearance {
  const classes: string[] = [];
  let fg = state.fg;
  let bg = state.bg;
  if (state.inverse) [fg, bg] = [bg ?? "var(--log-bg)", fg ?? "var(--log-fg)"];
  const appearance: AnsiAppearance = { className: "" };
  if (typeof fg === "number") classes.push(`ansi-fg-${fg}`);
  else if (fg !== null) appearance.color = fg;
  if (typeof bg === "number") classes.push(`ansi-bg-${bg}`);
  else if (bg !== null) appearance.backgroundColor = bg;
  if (state.bold) classes.push("ansi-bold");
  if (state.dim) classes.push("ansi-dim");
  if (state.italic) classes.push("ansi-italic");
  if (state.underline) classes.push("ansi-underline");
  if (state.strike) classes.push("ansi-strike");
  appearance.className = classes.join(" ");
  return appearance;
}
