import { describe, expect, it } from "vitest";
import { call, isAck, isMessage, pair, roomSocket } from "./harness";

describe("harness", () => {
  it("delivers a message between two members", async () => {
    const { a, b, room } = await pair();
    const sa = await roomSocket(room.id, a);
    const sb = await roomSocket(room.id, b);
    sa.send({ type: "send", clientId: "m1", body: "안녕하세요" });
    const ack = await sa.next(isAck("m1"));
    expect(ack.message.seq).toBe(1);
    expect((await sb.next(isMessage(1))).message.body).toBe("안녕하세요");
    const res = await call("/api/rooms", { cookie: b.cookie });
    expect(res.status).toBe(200);
    sa.close();
    sb.close();
  });
});
