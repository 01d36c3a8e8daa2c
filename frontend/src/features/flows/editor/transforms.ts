/** A step input's two forms (docs/flows.md): a static value, or a JavaScript expression. */
import type { InputTransform } from "../model/types";

export type TransformMode = "static" | "javascript";

export function modeOf(transform: InputTransform | undefined): TransformMode {
  return transform?.type === "javascript" ? "javascript" : "static";
}

/**
 * The same input in the other form, keeping what can be kept: a static value becomes its JSON
 * (a valid expression giving that value), an expression that is a JSON literal becomes that
 * value; an empty static input starts as `flow_input.<name>` when the flow has such an input.
 */
export function switchMode(
  transform: InputTransform | undefined,
  mode: TransformMode,
  fallbackExpr: string,
): InputTransform {
  if (mode === "javascript") {
    if (transform?.type === "javascript") return transform;
    const value = transform?.value;
    return { type: "javascript", expr: value === undefined ? fallbackExpr : JSON.stringify(value) };
  }
  if (transform === undefined || transform.type === "static") return transform ?? { type: "static" };
  try {
    return { type: "static", value: JSON.parse(transform.expr) as unknown };
  } catch {
    return { type: "static" };
  }
}

/** The static values of a step's inputs, as arguments (a test run's starting point). */
export function staticArgs(transforms: Record<string, InputTransform> | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(transforms ?? {})) {
    if (t.type === "static" && t.value !== undefined) args[name] = t.value;
  }
  return args;
}
