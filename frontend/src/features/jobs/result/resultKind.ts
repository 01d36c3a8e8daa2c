/**
 * How a job's result is best shown, decided from its value alone. Adding a
 * kind is one branch here and one view in ResultViewer.
 */

export type ResultKind =
  | { kind: "image"; src: string; mime: string; alt: string }
  | { kind: "table"; rows: Record<string, unknown>[]; columns: string[]; omittedColumns: number }
  | { kind: "json" };

/** More columns than this is a record dump, not a table: the rest are left to the JSON view. */
export const MAX_TABLE_COLUMNS = 50;

/**
 * Raster formats an <img> shows. SVG is left out: an SVG data URL opened from
 * the download link would run its scripts in a new tab.
 */
const IMAGE_MIMES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** The smallest PNG is 67 bytes: 92 characters of base64. */
const MIN_SNIFFED_LENGTH = 88;

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([\s\S]*)$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The first bytes of a PNG (89 50 4E 47 0D 0A 1A 0A) and a JPEG (FF D8 FF), base64-encoded. */
const MAGIC: [prefix: string, mime: string][] = [
  ["iVBORw0KGgo", "image/png"],
  ["/9j/", "image/jpeg"],
  ["R0lGOD", "image/gif"],
];

/** Padded base64 without line breaks, or null if `text` is not base64. */
function cleanBase64(text: string): string | null {
  // Python's base64.encodebytes wraps at 76 characters: those breaks are not data.
  const compact = text.replace(/\s+/g, "");
  return compact.length >= 8 && compact.length % 4 === 0 && BASE64.test(compact) ? compact : null;
}

function sniffMime(base64: string): string | null {
  return MAGIC.find(([prefix]) => base64.startsWith(prefix))?.[1] ?? null;
}

/** A data URL for an image given as a data URL or as bare base64, or null if it is neither. */
export function imageDataUrl(value: string, mime?: string): { src: string; mime: string } | null {
  const dataUrl = DATA_URL.exec(value.trimStart());
  if (dataUrl !== null) {
    const type = (dataUrl[1] ?? "").toLowerCase();
    const data = cleanBase64(dataUrl[2] ?? "");
    return data !== null && IMAGE_MIMES.has(type) ? { src: `data:${type};base64,${data}`, mime: type } : null;
  }
  const data = cleanBase64(value);
  if (data === null) return null;
  // A short string that merely starts like an image ("/9j/abcd") is text: real images are longer.
  if (mime === undefined && data.length < MIN_SNIFFED_LENGTH) return null;
  const type = mime?.toLowerCase() ?? sniffMime(data);
  return type !== null && IMAGE_MIMES.has(type) ? { src: `data:${type};base64,${data}`, mime: type } : null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `{render: "image", data | src, mime?, alt?}`: a script asking for its result to be shown as an image. */
function renderedImage(value: Record<string, unknown>): ResultKind | null {
  if (value.render !== "image") return null;
  const alt = typeof value.alt === "string" && value.alt.trim() !== "" ? value.alt : "Result image";
  const mime = typeof value.mime === "string" ? value.mime : undefined;
  const source = typeof value.src === "string" ? value.src : typeof value.data === "string" ? value.data : null;
  // `src` must be a data URL: a result must not make the browser fetch from anywhere.
  if (source === null || (typeof value.src === "string" && !value.src.startsWith("data:"))) return null;
  const image = imageDataUrl(source, mime);
  return image === null ? null : { kind: "image", ...image, alt };
}

/** Every key of the rows, in the order first seen. */
export function tableColumns(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

export function resultKind(result: unknown): ResultKind {
  if (typeof result === "string") {
    const image = imageDataUrl(result);
    return image === null ? { kind: "json" } : { kind: "image", ...image, alt: "Result image" };
  }
  if (isPlainObject(result)) return renderedImage(result) ?? { kind: "json" };
  if (Array.isArray(result) && result.length > 0 && result.every(isPlainObject)) {
    const columns = tableColumns(result);
    // Rows of empty objects have nothing to put in columns.
    if (columns.length === 0) return { kind: "json" };
    return {
      kind: "table",
      rows: result,
      columns: columns.slice(0, MAX_TABLE_COLUMNS),
      omittedColumns: Math.max(0, columns.length - MAX_TABLE_COLUMNS),
    };
  }
  return { kind: "json" };
}
