import { observeElementRect, useVirtualizer, type Rect } from "@tanstack/react-virtual";
import { memo, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import { ansiAppearance, parseAnsiLine, stripAnsi, type AnsiSpan, type AnsiState } from "./ansi";
import { LogBuffer } from "./logBuffer";
import { copyLabel, downloadText, useCopyText } from "./textExport";
import "./logs.css";

/** Fixed row height (px), kept equal to the row's CSS height: no row is ever measured. */
const ROW_HEIGHT = 20;
/** Space above the first and below the last line (px). */
const PADDING = 8;
/** A minified JSON blob printed on one line would cost layout on every scroll: show its start only. */
const MAX_LINE_CHARS = 10_000;
/** Above this, announcing new lines to a screen reader is noise: the region goes quiet. */
const ANNOUNCE_MAX_ROWS = 1000;
/**
 * Where the viewport reports no size (jsdom, a hidden tab) the virtualiser
 * would render nothing; assume a viewport of this size instead.
 */
const FALLBACK_RECT: Rect = { width: 1024, height: 24 * ROW_HEIGHT };

interface LogViewerProps {
  /** The whole log so far; it may grow between renders. */
  text: string;
  /** Whether the job is over: picks the empty text and stops live announcements. */
  finished: boolean;
  /** Name of the file "Download" saves. */
  fileName?: string;
  /** Set on the element whose text is the log (and nothing else). */
  "data-testid"?: string;
}

/**
 * A job's log: ANSI colours, line numbers, only the visible lines in the DOM,
 * and it follows new output while the reader is at the bottom.
 */
export function LogViewer({ text, finished, fileName = "job.log", "data-testid": testId }: LogViewerProps) {
  if (text === "") {
    return (
      <pre className="code code-wrap logs" data-testid={testId}>
        <span className="muted">{finished ? "No output." : "Waiting for output…"}</span>
      </pre>
    );
  }
  return <LogLines text={text} finished={finished} fileName={fileName} testId={testId} />;
}

function LogLines({ text, finished, fileName, testId }: { text: string; finished: boolean; fileName: string; testId?: string }) {
  // One buffer per mounted log, updated in place: parsing only the new tail.
  const [buffer] = useState(() => new LogBuffer());
  const rowCount = useMemo(() => buffer.update(text), [buffer, text]);
  const viewport = useRef<HTMLPreElement>(null);
  const [following, setFollowing] = useState(true);
  const [copyStatus, copy] = useCopyText();

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => viewport.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    paddingStart: PADDING,
    paddingEnd: PADDING,
    initialRect: FALLBACK_RECT,
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : FALLBACK_RECT)),
  });

  // Before paint, so a new line never flashes above the fold before the jump.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (following && element !== null) element.scrollTop = element.scrollHeight;
  }, [following, rowCount]);

  function onScroll() {
    const element = viewport.current;
    if (element === null) return;
    // Any scroll away from the bottom is the reader's: our own jumps land on it.
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight < ROW_HEIGHT);
  }

  function jumpToLatest() {
    setFollowing(true);
    // The button goes away: keep the keyboard in the log rather than on <body>.
    viewport.current?.focus({ preventScroll: true });
  }

  const digits = String(rowCount).length;
  return (
    <div className="log-viewer">
      <div className="log-toolbar">
        <span className="muted" data-testid="log-line-count">
          {rowCount.toLocaleString()} {rowCount === 1 ? "line" : "lines"}
        </span>
        <button type="button" className="button button-small" onClick={() => copy(() => stripAnsi(text))}>
          {copyLabel(copyStatus)}
        </button>
        <button type="button" className="button button-small" onClick={() => downloadText(stripAnsi(text), fileName)}>
          Download
        </button>
      </div>
      <div className="log-frame">
        <pre
          ref={viewport}
          className="code logs log-viewport"
          data-testid={testId}
          role="log"
          aria-label="Job logs"
          // Rows mount and unmount as the reader scrolls: only announce while new lines arrive at the tail.
          aria-live={finished || !following || rowCount > ANNOUNCE_MAX_ROWS ? "off" : "polite"}
          // A scrollable region must be reachable from the keyboard to be scrolled by it.
          tabIndex={0}
          onScroll={onScroll}
          style={{ "--log-digits": digits, "--log-chars": Math.min(buffer.widest, MAX_LINE_CHARS) } as CSSProperties}
        >
          <span className="log-spacer" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => (
              <LogRow
                key={item.key}
                line={buffer.lines[item.index] ?? ""}
                start={buffer.starts[item.index]}
                number={item.index + 1}
                newline={buffer.endsWithNewline(item.index)}
                top={item.start}
              />
            ))}
          </span>
        </pre>
        {!following && (
          <button type="button" className="button button-small log-jump" onClick={jumpToLatest}>
            Jump to latest
          </button>
        )}
      </div>
    </div>
  );
}

interface LogRowProps {
  line: string;
  start: AnsiState | undefined;
  number: number;
  newline: boolean;
  top: number;
}

/** Memoised: a row's props are strings and shared state objects, so scrolling re-parses only new rows. */
const LogRow = memo(function LogRow({ line, start, number, newline, top }: LogRowProps) {
  const cut = Math.max(0, line.length - MAX_LINE_CHARS);
  const { spans } = parseAnsiLine(cut > 0 ? line.slice(0, MAX_LINE_CHARS) : line, start);
  return (
    <span className="log-row" style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}>
      {/* The number is CSS content: it is neither selected nor copied with the text. */}
      <span className="log-ln" data-n={number} aria-hidden="true" />
      {spans.map((span, i) => (
        <AnsiText key={i} span={span} />
      ))}
      {cut > 0 && <span className="log-cut"> … {cut.toLocaleString()} more characters in the download</span>}
      {/* Keeps the element's text equal to the log, so selecting and copying rows gives lines. */}
      {newline && "\n"}
    </span>
  );
});

function AnsiText({ span }: { span: AnsiSpan }) {
  const { className, color, backgroundColor } = ansiAppearance(span.state);
  if (className === "" && color === undefined && backgroundColor === undefined) return span.text;
  return (
    <span className={className || undefined} style={color || backgroundColor ? { color, backgroundColor } : undefined}>
      {span.text}
    </span>
  );
}
