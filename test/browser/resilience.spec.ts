import { expect, test, type WebSocketRoute } from "@playwright/test";
import { befriendEachOther, newPerson, openChatWith, pendingRows, ROOM_SOCKET, roomIdOf, sendMessage, storedBubbles } from "./helpers";


test("unsent messages survive a reload, come back after a reconnect, and can be retried by hand", async ({ browser }) => {
  // A whole scenario across several users; generous on a loaded two-core machine.
  test.setTimeout(120_000);
  const a = await newPerson(browser, "outa", "보내는 쪽");
  const b = await newPerson(browser, "outb", "받는 쪽");
  await befriendEachOther(a, b);

  // A man in the middle on A's room socket: it can swallow sends, refuse one, or refuse connections.
  let dropSends = false;
  let refuseConnections = false;
  let rateLimitNextSend = false;
  const sockets: WebSocketRoute[] = [];
  await a.page.routeWebSocket(ROOM_SOCKET, (ws) => {
    if (refuseConnections) {
      void ws.close({ code: 1011, reason: "test: down" });
      return;
    }
    const server = ws.connectToServer();
    sockets.push(ws);
    ws.onMessage((raw) => {
      const text = raw.toString();
      const frame = text === "ping" ? null : (JSON.parse(text) as { type: string; clientId?: string });
      if (frame?.type === "send" && dropSends) return;
      if (frame?.type === "send" && rateLimitNextSend) {
        rateLimitNextSend = false;
        ws.send(JSON.stringify({ type: "error", code: "rate_limited", message: "slow down", clientId: frame.clientId }));
        return;
      }
      server.send(text);
    });
  });

  await openChatWith(a.page, b.displayName);
  const roomId = roomIdOf(a.page);
  await b.page.reload();
  await openChatWith(b.page, a.displayName);

  await test.step("a send that never reaches the server stays pending, across a reload", async () => {
    dropSends = true;
    await sendMessage(a.page, "보류된 메시지");
    await expect(pendingRows(a.page)).toHaveText(["보류된 메시지"]);
    await expect(a.page.locator(".msg[data-state=pending]")).toHaveCount(1);
    await a.page.reload();
    await expect(pendingRows(a.page)).toHaveText(["보류된 메시지"]);
  });

  await test.step("while the socket is down a banner says so; after reconnecting the outbox is resent once", async () => {
    refuseConnections = true;
    dropSends = false;
    await sockets.at(-1)?.close({ code: 1012, reason: "test: restart" });
    await expect(a.page.getByText("연결이 끊겼습니다. 다시 연결하는 중…")).toBeVisible();
    refuseConnections = false;
    await expect(a.page.getByText("연결이 끊겼습니다. 다시 연결하는 중…")).toBeHidden({ timeout: 20_000 });
    await expect(pendingRows(a.page)).toHaveCount(0);
    await expect(storedBubbles(a.page)).toHaveText(["보류된 메시지"]);
    await expect(storedBubbles(b.page)).toHaveText(["보류된 메시지"]);
  });

  await test.step("a send refused with rate_limited is resent later by itself", async () => {
    rateLimitNextSend = true;
    await sendMessage(a.page, "잠시 후 다시");
    await expect(storedBubbles(b.page)).toHaveText(["보류된 메시지", "잠시 후 다시"], { timeout: 15_000 });
    expect(rateLimitNextSend).toBe(false);
    await expect(pendingRows(a.page)).toHaveCount(0);
  });

  await test.step("a send unacknowledged for two minutes is marked failed and can be resent by hand", async () => {
    dropSends = true;
    // An outbox entry from three minutes ago, as if the tab had been closed while offline.
    await a.page.evaluate(
      async ({ roomId }) => {
        const me = (await (await fetch("/api/me")).json()) as { user: { id: string } };
        const entry = { clientId: `old-${Date.now()}`, body: "오래된 메시지", createdAt: Date.now() - 3 * 60_000, failed: false };
        localStorage.setItem(`talk.outbox.${me.user.id}.${roomId}`, JSON.stringify([entry]));
      },
      { roomId },
    );
    await a.page.reload();
    const failed = a.page.locator(".msg[data-state=failed]");
    await expect(failed).toHaveCount(1, { timeout: 15_000 });
    await expect(failed).toContainText("전송 실패");
    // Clicked while sends are still swallowed, so nothing can deliver it first and take the button away.
    await failed.getByRole("button", { name: "재전송" }).click();
    await expect(a.page.locator(".msg[data-state=pending]")).toHaveText(["오래된 메시지"]);
    dropSends = false;
    await expect(pendingRows(a.page)).toHaveCount(0, { timeout: 40_000 });
    await expect(storedBubbles(b.page)).toHaveText(["보류된 메시지", "잠시 후 다시", "오래된 메시지"]);
    await a.page.reload();
    await expect(storedBubbles(a.page)).toHaveText(["보류된 메시지", "잠시 후 다시", "오래된 메시지"]);
  });

  await a.context.close();
  await b.context.close();
});
