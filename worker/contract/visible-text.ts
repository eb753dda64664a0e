/**
 * What counts as visible text, shared by the Worker's schemas and the web app. Characters that draw
 * nothing (spaces, zero-width and other default-ignorable code points, controls, format characters
 * such as bidi marks) can make a message or a name look empty, or look like something else.
 */

/** One character that draws something: not white space, not default-ignorable, not a control or format character. */
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]/u;

/** True when the text has at least one character that draws something. */
export const hasVisibleText = (text: string): boolean => VISIBLE.test(text);

/**
 * Characters a display name may not hold: controls (NUL, line breaks), bidi controls (U+202E and
 * its kin reorder what follows), and invisible default-ignorable ones such as zero-width spaces and
 * Hangul fillers. The zero-width joiner, variation selectors and tag characters stay allowed: they
 * are parts of emoji sequences (👨‍👩‍👧, ❤️, subdivision flags).
 */
const NAME_FORBIDDEN = /(?![\u200D\uFE00-\uFE0F\u{E0020}-\u{E007F}])[\p{Cc}\p{Bidi_Control}\p{Default_Ignorable_Code_Point}]/u;

export const hasForbiddenNameCharacter = (name: string): boolean => NAME_FORBIDDEN.test(name);

/** Both display-name rules at once, for forms that check before sending. */
export const isCleanName = (name: string): boolean => !hasForbiddenNameCharacter(name) && hasVisibleText(name);
