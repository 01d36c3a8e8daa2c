import { useEffect, useState } from "react";

type CopyState = "idle" | "copied" | "failed";

/** Copies text with the async Clipboard API (there only on HTTPS and localhost). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard === undefined) throw new Error("clipboard unavailable");
  await navigator.clipboard.writeText(text);
}

interface CopyButtonProps {
  text: string;
  /** The button's accessible name, e.g. "Copy the async curl command". */
  label?: string;
}

/** A Copy button that says whether it worked; on failure the text must be selected by hand. */
export function CopyButton({ text, label = "Copy" }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  function copy() {
    copyText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  }

  return (
    <span className="copy">
      <button type="button" className="button button-small" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span className="copy-status" role="status">
        {state === "copied" ? "Copied" : state === "failed" ? "Could not copy: select the text and copy it" : ""}
      </span>
    </span>
  );
}
