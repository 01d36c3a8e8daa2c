/**
 * A job's log as the client has it: the text of bytes [0, end) of the whole log.
 *
 * The server speaks in UTF-8 byte offsets (that is how chunks are stored), while
 * JavaScript strings count UTF-16 code units, so every offset sum goes through
 * the encoder.
 */
export interface LogView {
  readonly text: string;
  /** Byte offset just past `text`: where the next chunk must start. */
  readonly end: number;
}

export const EMPTY_LOG: LogView = { text: "", end: 0 };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** A log view holding `text` from the start of the log. */
export function logFrom(text: string): LogView {
  return { text, end: utf8Length(text) };
}

export interface MergeResult {
  log: LogView;
  /** The chunk starts after `log.end`: bytes are missing, ask again from `log.end`. */
  gap: boolean;
}

/**
 * Adds the chunk starting at byte `offset` to the log: no gap, no repeat.
 *
 * A chunk the log already covers changes nothing; one that overlaps its end adds
 * only the new part (cut at a whole character); one that starts after its end is
 * a gap and is not added.
 */
export function mergeChunk(log: LogView, offset: number, data: string): MergeResult {
  if (offset === log.end) {
    if (data === "") return { log, gap: false };
    return { log: { text: log.text + data, end: log.end + utf8Length(data) }, gap: false };
  }
  if (offset > log.end) return { log, gap: true };
  const bytes = encoder.encode(data);
  let cut = log.end - offset;
  if (cut >= bytes.length) return { log, gap: false };
  while (cut < bytes.length && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut += 1; // a continuation byte
  const fresh = decoder.decode(bytes.subarray(cut));
  return { log: { text: log.text + fresh, end: offset + bytes.length }, gap: false };
}
