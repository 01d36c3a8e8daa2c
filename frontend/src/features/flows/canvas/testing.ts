/**
 * What React Flow needs from a browser that jsdom lacks (its own testing guide's stand-ins):
 * call in a test before rendering a FlowCanvas; vitest's unstubGlobals restores the globals.
 */
import { vi } from "vitest";

class FakeResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

class FakeDOMMatrixReadOnly {
  m22: number;
  constructor(transform?: string) {
    const scale = transform?.match(/scale\(([1-9.])\)/)?.[1];
    this.m22 = scale !== undefined ? Number(scale) : 1;
  }
}

export function stubReactFlowBrowser(): void {
  vi.stubGlobal("ResizeObserver", FakeResizeObserver);
  vi.stubGlobal("DOMMatrixReadOnly", FakeDOMMatrixReadOnly);
}
