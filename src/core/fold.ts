/**
 * A word as people may type it on any keyboard: lower case, without diacritics, đ as dj (`pomoc` is
 * `pomoć`, `ndihme` is `ndihmë`). One fold for command words, typed units and language names.
 */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'dj').toLowerCase();
}
