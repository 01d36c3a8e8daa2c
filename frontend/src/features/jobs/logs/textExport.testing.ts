import { vi } from "vitest";

/**
 * Test helpers for downloadText and useCopyText: jsdom has neither object
 * URLs nor a clipboard, and a link click would try to navigate.
 */
export function captureDownloads(): { files: { name: string; blob: Blob }[]; restore: () => void } {
  const files: { name: string; blob: Blob }[] = [];
  const pending: Blob[] = [];
  Object.defineProperty(URL, "createObjectURL", {
    configurable: true,
    writable: true,
    value: vi.fn((blob: Blob) => {
      pending.push(blob);
      return `blob:test/${pending.length}`;
    }),
  });
  Object.defineProperty(URL, "revokeObjectURL", { configurable: true, writable: true, value: vi.fn() });
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    const blob = pending.shift();
    if (blob !== undefined) files.push({ name: this.download, blob });
  });
  return {
    files,
    restore: () => {
      Reflect.deleteProperty(URL, "createObjectURL");
      Reflect.deleteProperty(URL, "revokeObjectURL");
    },
  };
}

export function stubClipboard(): { writeText: ReturnType<typeof vi.fn>; restore: () => void } {
  const writeText = vi.fn((_text: string) => Promise.resolve());
  Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
  return { writeText, restore: () => Reflect.deleteProperty(navigator, "clipboard") };
}
