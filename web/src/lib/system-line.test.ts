import { describe, expect, it } from "vitest";
import { systemLine } from "./system-line";

const names: Record<string, string> = { g: "가영", b: "보람", c: "찬미", d: "다인" };
const nameOf = (id: string) => names[id];

describe("systemLine in Korean", () => {
  it("names everyone invited, each with 님, as KakaoTalk does", () => {
    expect(systemLine("ko", { type: "invited", actorId: "g", userIds: ["b", "c"] }, nameOf)).toBe("가영님이 보람님, 찬미님을 초대했습니다.");
    expect(systemLine("ko", { type: "invited", actorId: "g", userIds: ["d"] }, nameOf)).toBe("가영님이 다인님을 초대했습니다.");
  });

  it("says who left", () => {
    expect(systemLine("ko", { type: "left", actorId: "c" }, nameOf)).toBe("찬미님이 나갔습니다.");
  });

  it("says who created the room with whom", () => {
    expect(systemLine("ko", { type: "created", actorId: "g", userIds: ["b", "c"], title: null }, nameOf)).toBe("가영님이 보람님, 찬미님과 채팅방을 만들었습니다.");
    expect(systemLine("ko", { type: "created", actorId: "g", userIds: [], title: null }, nameOf)).toBe("가영님이 채팅방을 만들었습니다.");
  });

  it("shows a rename and a cleared name", () => {
    expect(systemLine("ko", { type: "renamed", actorId: "b", title: "저녁팟" }, nameOf)).toBe("보람님이 채팅방 이름을 바꿨습니다: 저녁팟");
    expect(systemLine("ko", { type: "renamed", actorId: "b", title: null }, nameOf)).toBe("보람님이 채팅방 이름을 지웠습니다.");
    expect(systemLine("ko", { type: "renamed", actorId: "b", title: "" }, nameOf)).toBe("보람님이 채팅방 이름을 지웠습니다.");
  });

  it("calls someone it does not know an unknown user rather than showing an id", () => {
    expect(systemLine("ko", { type: "left", actorId: "zz" }, nameOf)).toBe("알 수 없는 사용자님이 나갔습니다.");
  });
});

describe("systemLine in English", () => {
  it("lists the invited as a sentence does", () => {
    expect(systemLine("en", { type: "invited", actorId: "g", userIds: ["b"] }, nameOf)).toBe("가영 invited 보람.");
    expect(systemLine("en", { type: "invited", actorId: "g", userIds: ["b", "c"] }, nameOf)).toBe("가영 invited 보람 and 찬미.");
    expect(systemLine("en", { type: "invited", actorId: "g", userIds: ["b", "c", "d"] }, nameOf)).toBe("가영 invited 보람, 찬미, and 다인.");
  });

  it("says who left, created and renamed", () => {
    expect(systemLine("en", { type: "left", actorId: "c" }, nameOf)).toBe("찬미 left.");
    expect(systemLine("en", { type: "created", actorId: "g", userIds: ["b", "c"], title: null }, nameOf)).toBe("가영 created the chat with 보람 and 찬미.");
    expect(systemLine("en", { type: "renamed", actorId: "b", title: "Dinner" }, nameOf)).toBe("보람 named the chat: Dinner");
    expect(systemLine("en", { type: "renamed", actorId: "b", title: null }, nameOf)).toBe("보람 removed the chat's name.");
    expect(systemLine("en", { type: "left", actorId: "zz" }, nameOf)).toBe("Someone left.");
  });
});
