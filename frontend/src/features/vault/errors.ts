import { isApiError } from "../../api/client";
import { isRecord } from "../forms/schemaKind";

/**
 * Which of `fields` an API refusal is about, so the message shows at that input: `detail.field`
 * (a 400); for a 409 (the name is taken) `conflict`; for a 403 naming a path (not yours to save
 * under) the `path` field.
 */
export function refusedField<F extends string>(error: Error | null, fields: readonly F[], conflict?: F): F | null {
  if (!isApiError(error)) return null;
  const detail = isRecord(error.detail) ? error.detail : {};
  const named = detail.field;
  if (typeof named === "string" && (fields as readonly string[]).includes(named)) return named as F;
  if (error.status === 409 && conflict !== undefined) return conflict;
  if (error.status === 403 && "path" in detail && (fields as readonly string[]).includes("path")) return "path" as F;
  return null;
}

/** The JSON text of a value: an object, or a message saying why not. */
export function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value)) return { ok: false, message: 'Must be a JSON object, e.g. {"host": "db.internal"}' };
  return { ok: true, value };
}
