import { expect, vi } from "vitest";

/** A WebSocket stand-in the test plays the server of (jsdom's would dial a real host). */
export class FakeWebSocket {
  static created: FakeWebSocket[] = [];
  readonly url: string;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closed = false;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.created.push(this);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ code: 1000 });
  }

  serverOpens() {
    this.onopen?.();
  }

  serverSends(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  serverCloses(code: number) {
    this.closed = true;
    this.onclose?.({ code });
  }
}

/** Replaces WebSocket (restored by vitest's unstubGlobals); the sockets the page opens, to play the server of. */
export function stubWebSocket() {
  FakeWebSocket.created = [];
  vi.stubGlobal("WebSocket", FakeWebSocket);
  const at = (n: number) => {
    const socket = FakeWebSocket.created[n];
    if (socket === undefined) throw new Error(`only ${FakeWebSocket.created.length} socket(s) opened`);
    return socket;
  };
  return {
    get all() {
      return FakeWebSocket.created;
    },
    at,
    only: () => {
      expect(FakeWebSocket.created).toHaveLength(1);
      return at(0);
    },
  };
}
