-- FAQ search across languages and scripts (issue 18, item 8). The search vector is built from a folded
-- text, so diacritics do not matter (pomoc finds the word with c-acute) and Cyrillic reads as Latin
-- (Serbian and Macedonian), so Serbian typed in either script finds the other. The same function folds
-- the search words (src/domain/questions/search.ts), and its letters agree with src/core/transliterate.ts
-- (test/questions/search-languages.test.ts checks it).
CREATE OR REPLACE FUNCTION cb_search_fold(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT lower(translate(
    regexp_replace(normalize(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(input, 'љ', 'lj'), 'Љ', 'lj'), 'њ', 'nj'), 'Њ', 'nj'), 'џ', 'dz'), 'Џ', 'dz'), 'ђ', 'dj'), 'Ђ', 'dj'), 'ѓ', 'gj'), 'Ѓ', 'gj'), 'ќ', 'kj'), 'Ќ', 'kj'), 'ѕ', 'dz'), 'Ѕ', 'dz'), 'đ', 'dj'), 'Đ', 'dj'), NFD), '[\u0300-\u036f]', '', 'g'),
    'абвгдежзијклмнопрстћуфхцчшѐѝйАБВГДЕЖЗИЈКЛМНОПРСТЋУФХЦЧШЀЍЙ',
    'abvgdezzijklmnoprstcufhccseiiabvgdezzijklmnoprstcufhccseii'))
$$;

DROP INDEX IF EXISTS "RoutedQuestion_searchVector_idx";
ALTER TABLE "RoutedQuestion" DROP COLUMN "searchVector";
ALTER TABLE "RoutedQuestion"
ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, cb_search_fold(coalesce("text", '') || ' ' || coalesce("answerText", '')))) STORED;
CREATE INDEX "RoutedQuestion_searchVector_idx" ON "RoutedQuestion" USING GIN ("searchVector");
