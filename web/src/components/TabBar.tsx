import { A } from "@solidjs/router";
import { t } from "../i18n";
import { totalUnread } from "../stores/rooms";
import { Badge } from "./Badge";
import { ChatIcon, PersonIcon } from "./Icons";

/** The bottom tabs. A tab's name comes first ("채팅"), then the unread count it carries. */
export const TabBar = () => (
  <nav class="tabbar" aria-label={t("mainNav")}>
    <A href="/friends" class="tab" activeClass="active" end>
      <PersonIcon />
      <span>{t("tabFriends")}</span>
    </A>
    <A href="/chats" class="tab" activeClass="active" end>
      <ChatIcon />
      <span>{t("tabChats")}</span>
      <span class="tab-badge">
        <Badge count={totalUnread()} label={t("unreadLabel", { n: totalUnread() })} />
      </span>
    </A>
  </nav>
);
