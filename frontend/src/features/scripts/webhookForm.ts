import { isApiError, type Schemas, type Webhook, type WebhookSettings } from "../../api/client";

export type Scheme = Schemas["SignatureIn"]["scheme"];

/** The signature select's options; "none": requests are not signed. */
export const SCHEMES: readonly { value: "none" | Scheme; label: string }[] = [
  { value: "none", label: "None: requests are not signed" },
  { value: "github", label: "GitHub" },
  { value: "stripe", label: "Stripe" },
  { value: "hmac-sha256", label: "HMAC-SHA256" },
];

/** The header each scheme reads unless told otherwise (the API's defaults). */
export const DEFAULT_HEADERS: Record<Scheme, string> = {
  github: "X-Hub-Signature-256",
  stripe: "Stripe-Signature",
  "hmac-sha256": "X-Kiln-Signature",
};

/** How old a Stripe signature's time may be when the form leaves it empty. */
export const DEFAULT_TOLERANCE_S = 300;

/** The Webhook form as typed (strings, so that a refused value is kept as is). */
export interface WebhookDraft {
  raw_request: boolean;
  scheme: "none" | Scheme;
  /** "": keep the stored secret. */
  secret: string;
  /** "": the scheme's usual header. */
  header: string;
  /** "": the API's default; only stripe uses it. */
  tolerance_s: string;
}

function isScheme(value: unknown): value is Scheme {
  return value === "github" || value === "stripe" || value === "hmac-sha256";
}

/** The draft of a stored webhook (`WebhookOut.signature` is typed by the API as any object). */
export function draftFromWebhook(webhook: Webhook): WebhookDraft {
  const signature = webhook.signature ?? {};
  const scheme = isScheme(signature.scheme) ? signature.scheme : "none";
  const header = typeof signature.header === "string" ? signature.header : "";
  const tolerance = signature.tolerance_s;
  return {
    raw_request: webhook.raw_request,
    scheme,
    secret: "",
    // The API stores the default header too; shown as empty, the header follows a change of scheme.
    header: scheme !== "none" && header === DEFAULT_HEADERS[scheme] ? "" : header,
    tolerance_s:
      scheme === "stripe" && typeof tolerance === "number" && tolerance !== DEFAULT_TOLERANCE_S ? String(tolerance) : "",
  };
}

/**
 * The body of `PUT …/scripts/webhook/p/{path}`. An empty secret is left out, so the stored
 * one is kept; "none" sends `signature: null`, which turns signing off and forgets the secret.
 */
export function webhookFromDraft(draft: WebhookDraft): WebhookSettings {
  if (draft.scheme === "none") return { raw_request: draft.raw_request, signature: null };
  const header = draft.header.trim();
  const tolerance = draft.tolerance_s.trim();
  const signature: Record<string, unknown> = { scheme: draft.scheme };
  if (draft.secret !== "") signature.secret = draft.secret;
  if (header !== "") signature.header = header;
  if (draft.scheme === "stripe" && tolerance !== "") {
    // Not a number: sent as typed, for the API to refuse with a message.
    const n = Number(tolerance);
    signature.tolerance_s = Number.isFinite(n) ? n : tolerance;
  }
  // The generated type makes tolerance_s required (it has a default); the API does not.
  return { raw_request: draft.raw_request, signature } as WebhookSettings;
}

/** The form's inputs an error can be shown at ("" = the whole form). */
export type WebhookField = "" | "raw_request" | "secret" | "header" | "tolerance_s";

const FIELDS: readonly WebhookField[] = ["raw_request", "secret", "header", "tolerance_s"];

function fieldOf(path: string): WebhookField {
  const last = path.split(".").pop() ?? "";
  return FIELDS.find((f) => f === last) ?? "";
}

/**
 * Which input a refused save is about. A 400 names it as `detail.field`
 * ("signature.secret") or, from request validation, as the `loc` of its one problem.
 */
export function webhookErrorField(error: unknown): WebhookField {
  if (!isApiError(error, 400)) return "";
  const detail = error.detail;
  if (Array.isArray(detail)) {
    const [first] = detail as unknown[];
    const loc = typeof first === "object" && first !== null ? (first as { loc?: unknown }).loc : undefined;
    return detail.length === 1 && Array.isArray(loc) ? fieldOf(loc.map(String).join(".")) : "";
  }
  const field = typeof detail === "object" && detail !== null ? (detail as { field?: unknown }).field : undefined;
  return typeof field === "string" ? fieldOf(field) : "";
}

/* ---------- curl examples ---------- */

/** Stands for the token in examples until one is created here; `export KILN_TOKEN=…` fills it in. */
export const TOKEN_PLACEHOLDER = "$KILN_TOKEN";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function zeroOf(type: unknown): unknown {
  const first = Array.isArray(type) ? type.find((t) => t !== "null") : type;
  switch (first) {
    case "string":
      return "";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return null;
  }
}

/**
 * Arguments for an example call, from the script's JSON Schema: each default
 * (or first example), and a typed placeholder for required arguments without
 * one; optional arguments without a default are left out, as the script does without them.
 */
export function exampleArgs(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema) || !isRecord(schema.properties)) return {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const args: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(schema.properties)) {
    const property = isRecord(raw) ? raw : {};
    if ("default" in property) args[name] = property.default;
    else if (Array.isArray(property.examples) && property.examples.length > 0) args[name] = property.examples[0];
    else if (required.has(name)) {
      args[name] = Array.isArray(property.enum) && property.enum.length > 0 ? property.enum[0] : zeroOf(property.type);
    }
  }
  return args;
}

/** Quotes for a POSIX shell: inside '…' nothing expands, and ' itself is written '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A curl command that POSTs `args` as JSON to `url` with a bearer token. */
export function curlCommand(url: string, args: unknown, token: string = TOKEN_PLACEHOLDER): string {
  // The placeholder must expand, so it goes in double quotes; a real token is quoted literally.
  const auth = token === TOKEN_PLACEHOLDER ? `"Authorization: Bearer ${token}"` : shellQuote(`Authorization: Bearer ${token}`);
  return [
    `curl -X POST ${shellQuote(url)}`,
    `  -H ${auth}`,
    `  -H "Content-Type: application/json"`,
    `  -d ${shellQuote(JSON.stringify(args))}`,
  ].join(" \\\n");
}
