/**
 * The centred line a system message shows (docs/api.md, group rooms): who created the room, who
 * invited whom, who left, the rename, in the reader's language. Pure (catalogues in, text out), so
 * it is tested on its own and the browser tests build their expected lines with it.
 */
import { en } from "../i18n/en";
import { formatMessage } from "../i18n/format";
import { ko } from "../i18n/ko";
import type { SystemEvent } from "../../../worker/contract";

export type LineLang = "ko" | "en";

const catalogues = { ko, en } as const;

/**
 * Names as a sentence takes them: `보람님, 찬미님` in Korean (each with its honorific, as KakaoTalk
 * writes them), `Boram, Chanmi and Dana` in English.
 */
const nameList = (lang: LineLang, names: readonly string[]): string =>
  lang === "ko" ? names.map((name) => formatMessage(lang, ko.honorific, { name })).join(", ") : new Intl.ListFormat("en", { type: "conjunction" }).format(names);

/** `nameOf` knows the members (and those who left) by id; anyone it does not know is "someone". */
export const systemLine = (lang: LineLang, event: SystemEvent, nameOf: (userId: string) => string | undefined): string => {
  const c = catalogues[lang];
  const name = (id: string) => nameOf(id) ?? c.someone;
  const actor = name(event.actorId);
  const names = (ids: readonly string[]) => nameList(lang, ids.map(name));
  switch (event.type) {
    case "created":
      return formatMessage(lang, event.userIds.length > 0 ? c.systemCreatedWith : c.systemCreated, { actor, names: names(event.userIds) });
    case "invited":
      return formatMessage(lang, c.systemInvited, { actor, names: names(event.userIds) });
    case "left":
      return formatMessage(lang, c.systemLeft, { actor });
    case "renamed":
      return event.title ? formatMessage(lang, c.systemRenamed, { actor, title: event.title }) : formatMessage(lang, c.systemRenameCleared, { actor });
  }
};
