import { useEffect, useRef, useState } from "react";

/** Saves `text` as a file through a temporary object URL and link. */
export function downloadText(text: string, fileName: string, type = "text/plain;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next tick: some browsers start the download after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export type CopyStatus = "idle" | "copied" | "failed";

/**
 * Copies text to the clipboard and says how it went for a short while, so a
 * "Copy" button can read "Copied" without a toast system.
 */
export function useCopyText(): [CopyStatus, (text: () => string) => void] {
  const [status, setStatus] = useState<CopyStatus>("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  function settle(next: CopyStatus) {
    setStatus(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus("idle"), 2000);
  }

  // The text is built on click only: stripping a large log on every render would be waste.
  function copy(text: () => string) {
    // Absent outside a secure context (plain http on a LAN address).
    if (typeof navigator === "undefined" || navigator.clipboard === undefined) {
      settle("failed");
      return;
    }
    navigator.clipboard.writeText(text()).then(
      () => settle("copied"),
      () => settle("failed"),
    );
  }
  return [status, copy];
}

export function copyLabel(status: CopyStatus): string {
  return status === "copied" ? "Copied" : status === "failed" ? "Copy failed" : "Copy";
}
