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
