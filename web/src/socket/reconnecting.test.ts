import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SOCKET_LIMITS } from "../../../worker/contract/sockets";
import { createReconnectingSocket } from "./reconnecting";

/** Stands in for the browser's WebSocket: records each connection and lets the test close it. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send() {}
  close() {}
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
    this.onmessage?.({ data: "pong" });
  }
  serverCloses(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const page = Object.assign(new EventTarget(), { visibilityState: "visible" });

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.opened = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("window", new EventTarget());
  vi.stubGlobal("document", page);
  vi.stubGlobal("location", { protocol: "http:", host: "talk.test" });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const connected = () => {
  const closes: number[] = [];
  const socket = createReconnectingSocket({ path: "/api/events", onFrame: () => {}, onClose: (code) => closes.push(code), waitForTabOn: [SOCKET_LIMITS.closeTooManyTabs] });
  FakeSocket.opened[0]!.open();
  return { socket, closes };
};

describe("reconnecting socket", () => {
  it("reconnects on a timer after an ordinary loss", () => {
    const { socket, closes } = connected();
    FakeSocket.opened[0]!.serverCloses(1006);
    vi.advanceTimersByTime(1_000);
    expect(closes).toEqual([1006]);
    expect(FakeSocket.opened).toHaveLength(2);
    socket.close();
  });

  it(`after a ${SOCKET_LIMITS.closeTooManyTabs} close (the oldest of too many tabs) waits for the tab to be shown again`, () => {
    const { socket, closes } = connected();
    FakeSocket.opened[0]!.serverCloses(SOCKET_LIMITS.closeTooManyTabs);
    vi.advanceTimersByTime(10 * 60_000);
    expect(closes).toEqual([SOCKET_LIMITS.closeTooManyTabs]);
    expect(FakeSocket.opened).toHaveLength(1);
    page.dispatchEvent(new Event("visibilitychange"));
    expect(FakeSocket.opened).toHaveLength(2);
    socket.close();
  });
});
