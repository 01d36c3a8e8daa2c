import { useState } from "react";
import { isApiError } from "../../api/client";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { isRecord, type Schema } from "../forms/schemaKind";
import { useInferSchema } from "../scripts/queries";
import type { CodeProblem } from "./codeEditorProps";

/** How long typing must pause before the server reads the signature again. */
export const INFER_DEBOUNCE_MS = 400;

export interface LiveSchema {
  /** The schema of the last code that could be read (kept while the code has an error). */
  inferred: Schema | null;
  /** What is wrong with the current code, if anything. */
  problem: CodeProblem | null;
  /** A newer answer is on its way (typing, or the request). */
  stale: boolean;
}

function lineOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

/** The server's 400 about the code as a problem to mark; any other failure is a message alone. */
export function problemOf(error: Error): CodeProblem {
  const detail = isApiError(error, 400) && isRecord(error.detail) ? error.detail : {};
  return { message: error.message, line: lineOrNull(detail.line), column: lineOrNull(detail.column) };
}

interface Answer {
  from: unknown;
  inferred: Schema | null;
  problem: CodeProblem | null;
}

/** The schema of `content`'s main, re-read as the user types (debounced). */
export function useLiveSchema(workspace: string, language: string, content: string): LiveSchema {
  // One debounced string (a language id has no newline), so language and code always settle together.
  const settledKey = useDebouncedValue(`${language}\n${content}`, INFER_DEBOUNCE_MS);
  const cut = settledKey.indexOf("\n");
  const query = useInferSchema(workspace, settledKey.slice(0, cut), settledKey.slice(cut + 1));
  const [last, setLast] = useState<Answer>({ from: null, inferred: null, problem: null });
  // The last answer, good or bad, stays until the next one arrives, so neither the form
  // nor the error message blinks while a request is in flight. Adjusted while rendering
  // (not in an effect) so the form is never a frame behind.
  const from = query.isError ? query.error : query.isPlaceholderData ? undefined : query.data;
  if (from !== undefined && from !== last.from) {
    setLast(
      query.isError
        ? { from, inferred: last.inferred, problem: problemOf(query.error) }
        : { from, inferred: query.data?.schema ?? null, problem: null },
    );
  }
  return {
    inferred: last.inferred,
    problem: last.problem,
    stale: settledKey !== `${language}\n${content}` || query.isFetching,
  };
}
