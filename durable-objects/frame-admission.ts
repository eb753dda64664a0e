import * as v from "valibot";
import { ClientFrame, LIMITS, type RoomErrorCode, issueFields, summarizeFields } from "../worker/contract";
import { CLOSE_POLICY, CLOSE_TOO_BIG, sendFrame } from "./socket-io";
import type { take } from "./token-bucket";

/** What a refused send's `error` frame says, by code. */
export const REFUSALS = {
  rate_limited: "Sending too fast; resend this one shortly.",
  out_of_order: "The message written before this one is not stored yet; send that one first.",
  store_failed: "The message was not saved; it will be resent.",
} as const;

/**
 * A room socket's frame, admitted or not: session, size, allowance and schema checks, in that
 * order. A refused frame is answered here (or its socket closed), and nothing comes back.
 */
export const admitFrame = (
  ws: WebSocket,
  raw: string | ArrayBuffer,
  socket: { sessionExpires: number; spend: () => ReturnType<typeof take> },
): ClientFrame | undefined => {
  const refuse = (code: RoomErrorCode, message: string, clientId?: string) => {
    sendFrame(ws, { type: "error", code, message, ...(clientId && { clientId }) });
    return undefined;
  };
  const close = (code: number, reason: string) => {
    ws.close(code, reason);
    return undefined;
  };
  if (Date.now() >= socket.sessionExpires) return close(CLOSE_POLICY, "session expired");
  const bytes = typeof raw === "string" ? (raw.length * 3 > LIMITS.frameBytesMax ? new TextEncoder().encode(raw).length : 0) : raw.byteLength;
  if (bytes > LIMITS.frameBytesMax) return close(CLOSE_TOO_BIG, "frame larger than 64 KiB");
  // Every frame spends the member's allowance, whatever it holds, so junk cannot flood past the limit.
  const verdict = socket.spend();
  if (verdict === "close") return close(CLOSE_POLICY, "flooding");
  const json = typeof raw === "string" ? parseJson(raw) : NOT_JSON;
  if (verdict === "refuse") return refuse("rate_limited", REFUSALS.rate_limited, clientIdOf(json));
  if (typeof raw !== "string") return refuse("bad_frame", "Send text frames with one JSON object each.");
  if (json === NOT_JSON) return refuse("bad_json", "The frame is not valid JSON.");
  const parsed = v.safeParse(ClientFrame, json);
  if (parsed.success) return parsed.output;
  return refuse("invalid", summarizeFields(issueFields(parsed.issues)), clientIdOf(json));
};

const NOT_JSON = Symbol("not JSON");

const parseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return NOT_JSON;
  }
};

const clientIdOf = (json: unknown): string | undefined => {
  const id = (json as { clientId?: unknown } | null)?.clientId;
  return typeof id === "string" && id.length > 0 && id.length <= LIMITS.clientIdMax ? id : undefined;
};
