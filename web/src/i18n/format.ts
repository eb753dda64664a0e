/**
 * Fills a catalogue string: `{name}` takes a value, and `{n, plural, one {# message} other {# messages}}`
 * (ICU's plural syntax, the part of it we use) picks a form by `Intl.PluralRules`, `#` being the number.
 * Pure, so the browser tests build their expected strings with it too.
 */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const FORM = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

const rules = new Map<string, Intl.PluralRules>();
const pluralRules = (lang: string): Intl.PluralRules => {
  let found = rules.get(lang);
  if (!found) rules.set(lang, (found = new Intl.PluralRules(lang)));
  return found;
};

const pickForm = (lang: string, forms: string, n: number): string => {
  const byName = new Map(Array.from(forms.matchAll(FORM), (m) => [m[1]!, m[2]!] as const));
  const form = byName.get(`=${n}`) ?? byName.get(pluralRules(lang).select(n)) ?? byName.get("other") ?? "";
  return form.replaceAll("#", String(n));
};

export const formatMessage = (lang: string, text: string, vars?: Record<string, string | number>): string => {
  if (!vars) return text;
  return text
    .replace(PLURAL, (whole, name: string, forms: string) => (typeof vars[name] === "number" ? pickForm(lang, forms, vars[name]) : whole))
    .replace(/\{(\w+)\}/g, (whole, name: string) => String(vars[name] ?? whole));
};
