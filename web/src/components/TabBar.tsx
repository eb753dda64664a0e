import { A } from "@solidjs/router";
import { t } from "../i18n";
import { totalUnread } from "../stores/rooms";
import { Badge } from "./Badge";
import { ChatIcon, PersonIcon } from "./Icons";

export const TabBar = () => (
  <nav class="tabbar" aria-label={`${t("tabFriends")} / ${t("tabChats")}`}>
    <A href="/friends" class="tab" activeClass="active" end>
      <PersonIcon />
      <span>{t("tabFriends")}</span>
    </A>
    <A href="/chats" class="tab" activeClass="active" end>
      <span class="tab-icon">
        <ChatIcon />
        <Badge count={totalUnread()} label={t("unreadLabel", { n: totalUnread() })} />
      </span>
      <span>{t("tabChats")}</span>
    </A>
  </nav>
);
