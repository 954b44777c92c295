import countries from 'i18n-iso-countries';

/**
 * Country and language codes checked against real lists, not a hand-made one: countries against
 * ISO 3166-1 alpha-2 (i18n-iso-countries, which also knows Kosovo's XK), languages against the
 * languages the runtime's Unicode data (CLDR, through Intl) can name. "xx" and "QQ" are refused.
 */

/** True for an ISO 3166-1 alpha-2 country code (case as typed is ignored). */
export function isCountryCode(code: string): boolean {
  return /^[A-Za-z]{2}$/.test(code) && countries.isValid(code.toUpperCase());
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const scriptNames = new Intl.DisplayNames(['en'], { type: 'script', fallback: 'none' });

/**
 * True for a language tag people use ("sq", "sr-Latn", "en-GB"): well-formed BCP 47, a language the
 * Unicode data knows, and a known script and country if given.
 */
export function isLanguageTag(tag: string): boolean {
  let canonical: string;
  try {
    [canonical] = Intl.getCanonicalLocales(tag);
  } catch {
    return false;
  }
  const locale = new Intl.Locale(canonical);
  if (!/^[a-z]{2,3}$/.test(locale.language) || !languageNames.of(locale.language)) return false;
  if (locale.script && !scriptNames.of(locale.script)) return false;
  if (locale.region && !isCountryCode(locale.region)) return false;
  return true;
}

/** The tag as BCP 47 writes it ("SR-latn" → "sr-Latn"), or the input when it is not well-formed. */
export function canonicalLanguage(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag.trim())[0] ?? tag.trim();
  } catch {
    return tag.trim();
  }
}
