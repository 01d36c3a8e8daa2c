import { describe, expect, it } from "vitest";
import { ansiAppearance, applySgr, color256, hasEscapes, parseAnsiLine, PLAIN, stripAnsi, type AnsiState } from "./ansi";

const ESC = "\x1b";

function texts(line: string, start: AnsiState = PLAIN): string[] {
  return parseAnsiLine(line, start).spans.map((span) => span.text);
}

describe("parseAnsiLine", () => {
  it("returns a plain line as one unstyled span", () => {
    expect(parseAnsiLine("hello world").spans).toEqual([{ text: "hello world", state: PLAIN }]);
    expect(parseAnsiLine("").spans).toEqual([]);
  });

  it("colours text between a colour code and a reset", () => {
    const { spans, end } = parseAnsiLine(`${ESC}[31mred${ESC}[0m plain`);
    expect(spans.map((s) => [s.text, s.state.fg])).toEqual([
      ["red", 1],
      [" plain", null],
    ]);
    expect(spans[1]?.state).toBe(PLAIN);
    expect(end).toBe(PLAIN);
  });

  it("reads bold, dim, italic, underline and bright colours from one sequence", () => {
    const [span] = parseAnsiLine(`${ESC}[1;2;3;4;92;103mx`).spans;
    expect(span?.state).toMatchObject({ bold: true, dim: true, italic: true, underline: true, fg: 10, bg: 11 });
  });

  it("reads 256-colour and truecolor codes, in semicolon and colon forms", () => {
    const fg = (params: string) => applySgr(PLAIN, params).fg;
    const bg = (params: string) => applySgr(PLAIN, params).bg;
    expect(fg("38;5;9")).toBe(9);
    expect(fg("38;5;196")).toBe("#ff0000");
    expect(bg("48;5;240")).toBe("#585858");
    expect(fg("38;2;255;128;0")).toBe("#ff8000");
    expect(bg("48;2;1;2;3")).toBe("#010203");
    expect(fg("38:2::10:20:30")).toBe("#0a141e");
    expect(fg("38:5:4")).toBe(4);
    // Codes after an extended colour still apply.
    expect(applySgr(PLAIN, "38;5;2;1")).toMatchObject({ fg: 2, bold: true });
  });

  it("turns attributes off one by one", () => {
    const styled = applySgr(PLAIN, "1;2;3;4;7;9;31;42");
    expect(applySgr(styled, "22")).toMatchObject({ bold: false, dim: false, italic: true });
    expect(applySgr(styled, "23;24;27;29")).toMatchObject({ italic: false, underline: false, inverse: false, strike: false });
    expect(applySgr(styled, "39;49")).toMatchObject({ fg: null, bg: null, bold: true });
    expect(applySgr(styled, "")).toBe(PLAIN);
    expect(applySgr(styled, "0")).toBe(PLAIN);
  });

  it("keeps the same state object when a sequence changes nothing", () => {
    const red = applySgr(PLAIN, "31");
    expect(applySgr(red, "31")).toBe(red);
    expect(applySgr(PLAIN, "39")).toBe(PLAIN);
  });

  it("carries the state over to the next line", () => {
    const first = parseAnsiLine(`${ESC}[32mgreen starts`);
    const second = parseAnsiLine("and goes on", first.end);
    expect(second.spans[0]?.state.fg).toBe(2);
    expect(parseAnsiLine("no escapes", first.end).end).toBe(first.end);
    expect(parseAnsiLine(`${ESC}[0mreset`, first.end).end).toBe(PLAIN);
  });

  it("drops cursor moves, erases, titles, hyperlinks and charset switches", () => {
    expect(texts(`${ESC}[2K${ESC}[1G${ESC}[?25ldone${ESC}[?25h`).join("")).toBe("done");
    expect(texts(`${ESC}]0;window title\x07text`).join("")).toBe("text");
    expect(texts(`${ESC}]8;;https://example.com${ESC}\\link${ESC}]8;;${ESC}\\`).join("")).toBe("link");
    expect(texts(`${ESC}(Bplain${ESC}7${ESC}8`).join("")).toBe("plain");
    expect(texts("bell\x07 and\x08 backspace\x00").join("")).toBe("bell and backspace");
  });

  it("drops a sequence cut off at the end of the line", () => {
    expect(texts(`abc${ESC}[3`).join("")).toBe("abc");
    expect(texts(`abc${ESC}`).join("")).toBe("abc");
    expect(texts(`abc${ESC}]0;unterminated`).join("")).toBe("abc");
  });

  it("ignores a private-parameter m that is not a style", () => {
    expect(parseAnsiLine(`${ESC}[>4;2mtext`).spans).toEqual([{ text: "text", state: PLAIN }]);
  });

  it("shows what a carriage return rewrote the line to, as a progress bar ends", () => {
    expect(texts("10%\r50%\r100%").join("")).toBe("100%");
    expect(texts("windows line\r").join("")).toBe("windows line");
    // The style set before the CR still holds after it.
    expect(parseAnsiLine(`${ESC}[33mold\rnew`).spans).toEqual([{ text: "new", state: applySgr(PLAIN, "33") }]);
  });

  it("keeps tabs", () => {
    expect(texts("a\tb").join("")).toBe("a\tb");
  });
});

describe("hasEscapes", () => {
  it("tells plain lines from lines the parser must read", () => {
    expect(hasEscapes("plain\ttext")).toBe(false);
    expect(hasEscapes(`${ESC}[31mred`)).toBe(true);
    expect(hasEscapes("progress\r")).toBe(true);
  });
});

describe("color256", () => {
  it("maps the first 16 to the palette, then the cube, then the grays", () => {
    expect(color256(0)).toBe(0);
    expect(color256(15)).toBe(15);
    expect(color256(16)).toBe("#000000");
    expect(color256(231)).toBe("#ffffff");
    expect(color256(232)).toBe("#080808");
    expect(color256(255)).toBe("#eeeeee");
    expect(color256(256)).toBeNull();
  });
});

describe("stripAnsi", () => {
  it("removes every escape sequence from a multi-line text", () => {
    expect(stripAnsi(`${ESC}[1;31mError${ESC}[0m: boom\n${ESC}[2Knext\n`)).toBe("Error: boom\nnext\n");
  });
});

describe("ansiAppearance", () => {
  it("uses classes for palette colours and attributes", () => {
    expect(ansiAppearance(applySgr(PLAIN, "1;4;31;44"))).toEqual({
      className: "ansi-fg-1 ansi-bg-4 ansi-bold ansi-underline",
    });
  });

  it("uses inline colours for 256-colour and truecolor codes", () => {
    expect(ansiAppearance(applySgr(PLAIN, "38;2;1;2;3;48;5;196"))).toEqual({
      className: "",
      color: "#010203",
      backgroundColor: "#ff0000",
    });
  });

  it("swaps foreground and background for inverse, defaulting to the log's colours", () => {
    expect(ansiAppearance(applySgr(PLAIN, "7;32"))).toEqual({ className: "ansi-bg-2", color: "var(--log-bg)" });
    expect(ansiAppearance(applySgr(PLAIN, "7"))).toEqual({
      className: "",
      color: "var(--log-bg)",
      backgroundColor: "var(--log-fg)",
    });
  });
});
