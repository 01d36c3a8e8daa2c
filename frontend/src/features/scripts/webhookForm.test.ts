import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  curlCommand,
  draftFromWebhook,
  exampleArgs,
  shellQuote,
  webhookErrorField,
  webhookFromDraft,
  type WebhookDraft,
} from "./webhookForm";

const URLS = { async: "/api/w/demo/jobs/run/p/u/ada/hook", sync: "/api/w/demo/jobs/run_wait_result/p/u/ada/hook" };

function draft(overrides: Partial<WebhookDraft> = {}): WebhookDraft {
  return { raw_request: false, scheme: "github", secret: "", header: "", tolerance_s: "", ...overrides };
}

describe("webhookForm", () => {
  it("reads an unsigned webhook", () => {
    expect(draftFromWebhook({ path: "u/ada/hook", raw_request: true, signature: null, has_secret: false, urls: URLS })).toEqual(
      draft({ raw_request: true, scheme: "none" }),
    );
  });

  it("shows a scheme's default header and tolerance as empty, and anything else as stored", () => {
    const stored = (signature: Record<string, unknown>) =>
      draftFromWebhook({ path: "u/ada/hook", raw_request: false, signature, has_secret: true, urls: URLS });
    expect(stored({ scheme: "github", header: "X-Hub-Signature-256", tolerance_s: 300 })).toEqual(draft());
    expect(stored({ scheme: "stripe", header: "Stripe-Signature", tolerance_s: 600 })).toEqual(
      draft({ scheme: "stripe", tolerance_s: "600" }),
    );
    expect(stored({ scheme: "hmac-sha256", header: "X-Signature", tolerance_s: 300 })).toEqual(
      draft({ scheme: "hmac-sha256", header: "X-Signature" }),
    );
  });

  it("sends signature null for none, whatever else was typed", () => {
    expect(webhookFromDraft(draft({ scheme: "none", secret: "s3cret-value", header: "X" }))).toEqual({
      raw_request: false,
      signature: null,
    });
  });

  it("leaves out an empty secret and header, and the tolerance but for stripe", () => {
    expect(webhookFromDraft(draft({ tolerance_s: "60" }))).toEqual({ raw_request: false, signature: { scheme: "github" } });
    expect(
      webhookFromDraft(draft({ scheme: "stripe", secret: "whsec_123456", header: " Stripe-Signature ", tolerance_s: "60" })),
    ).toEqual({
      raw_request: false,
      signature: { scheme: "stripe", secret: "whsec_123456", header: "Stripe-Signature", tolerance_s: 60 },
    });
  });

  it("places a refusal at the input it names", () => {
    const refusal = (detail: unknown, status = 400) => new ApiError(status, "no", detail);
    expect(webhookErrorField(refusal({ field: "signature.secret" }))).toBe("secret");
    expect(webhookErrorField(refusal({ field: "raw_request" }))).toBe("raw_request");
    expect(webhookErrorField(refusal([{ loc: ["body", "payload", "signature", "tolerance_s"], msg: "too small" }]))).toBe(
      "tolerance_s",
    );
    expect(webhookErrorField(refusal({ field: "signature.secret" }, 403))).toBe("");
    expect(webhookErrorField(new Error("network"))).toBe("");
  });
});

describe("webhook curl examples", () => {
  const schema = {
    type: "object",
    properties: {
      name: { type: "string" },
      count: { type: "integer", default: 3 },
      mode: { type: "string", enum: ["fast", "slow"] },
      tags: { type: "array", examples: [["a"]] },
      note: { type: ["string", "null"] },
      dry_run: { type: "boolean" },
    },
    required: ["name", "mode", "dry_run"],
  };

  it("builds example arguments from defaults, examples and required fields", () => {
    expect(exampleArgs(schema)).toEqual({ name: "", count: 3, mode: "fast", tags: ["a"], dry_run: false });
    expect(exampleArgs(undefined)).toEqual({});
    expect(exampleArgs({ type: "object" })).toEqual({});
  });

  it("quotes for the shell", () => {
    expect(shellQuote(`{"who":"O'Brien"}`)).toBe(`'{"who":"O'\\''Brien"}'`);
  });

  it("writes a curl command with the token placeholder, or a real token", () => {
    const url = "https://kiln.example/api/w/demo/jobs/run/p/u/ada/hook";
    expect(curlCommand(url, { a: 1 })).toBe(
      [
        `curl -X POST '${url}' \\`,
        `  -H "Authorization: Bearer $KILN_TOKEN" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"a":1}'`,
      ].join("\n"),
    );
    expect(curlCommand(url, {}, "kiln_secret")).toContain(`-H 'Authorization: Bearer kiln_secret'`);
  });
});
