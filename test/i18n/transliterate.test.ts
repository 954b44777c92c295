import { describe, expect, it } from 'vitest';
import { catalogueToCyrillic, toCyrillic } from '../../src/core/transliterate.js';

describe('when Serbian Latin text is written in Cyrillic', () => {
  it('writes every letter of the alphabet, with the digraphs lj, nj and dž as one letter', () => {
    expect(toCyrillic('abcčćddžđefghijklljmnnjoprsštuvzž')).toBe('абцчћдџђефгхијклљмнњопрсштувзж');
    expect(toCyrillic('ABCČĆDDžĐEFGHIJKLLjMNNjOPRSŠTUVZŽ')).toBe('АБЦЧЋДЏЂЕФГХИЈКЛЉМНЊОПРСШТУВЗЖ');
  });

  it('reads capital digraphs in title case and in all capitals as one capital letter', () => {
    expect(toCyrillic('Ljubljana, Njegoš, Džep')).toBe('Љубљана, Његош, Џеп');
    expect(toCyrillic('LJUBAV NJIVA DŽEMPER')).toBe('ЉУБАВ ЊИВА ЏЕМПЕР');
  });

  it('writes real catalogue sentences', () => {
    expect(toCyrillic('Zdravo, {{name}}! Vaš akcioni plan je sačuvan.')).toBe('Здраво, {{name}}! Ваш акциони план је сачуван.');
    expect(toCyrillic('Pošaljite povratne informacije kolega do roka.')).toBe('Пошаљите повратне информације колега до рока.');
    expect(toCyrillic('Ovde je vaš podsetnik: još nedelju dana do događaja razmene.')).toBe('Овде је ваш подсетник: још недељу дана до догађаја размене.');
    expect(toCyrillic('Član klastera za učenje, resursna osoba i koordinator.')).toBe('Члан кластера за учење, ресурсна особа и координатор.');
  });

  it('splits lj, nj and dž where a prefix or a foreign word puts two letters side by side', () => {
    expect(toCyrillic('injekcija')).toBe('инјекција');
    expect(toCyrillic('nadživeti')).toBe('надживети');
    expect(toCyrillic('Podžupan i konjunktura')).toBe('Поджупан и конјунктура');
    expect(toCyrillic('vanjezički')).toBe('ванјезички');
    // …but only where the exception applies: a dž inside a word stays one letter.
    expect(toCyrillic('hodža, odžak')).toBe('хоџа, оджак');
  });

  it('keeps code spans, placeholders, nestings and link targets in Latin script', () => {
    expect(toCyrillic('Upišite `/lc plan` za {{cluster}}.')).toBe('Упишите `/lc plan` за {{cluster}}.');
    expect(toCyrillic('Otvorite {{- link}} i $t(core:buttons.open)')).toBe('Отворите {{- link}} и $t(core:buttons.open)');
    expect(toCyrillic('[Preuzmite plan](https://example.org/plan?id=nj)')).toBe('[Преузмите план](https://example.org/plan?id=nj)');
    expect(toCyrillic('Pišite na pomoc@example.org ili <@U123> ili :white_check_mark:')).toBe('Пишите на pomoc@example.org или <@U123> или :white_check_mark:');
  });

  it('keeps brand names and Latin abbreviations, and writes DR1–DR3 as ДР1–ДР3', () => {
    expect(toCyrillic('Cluster Bot u Slack i Teams: LC1, CSV, EE2.')).toBe('Cluster Bot у Slack и Teams: LC1, CSV, EE2.');
    expect(toCyrillic('Posle DR2 i pre DR3 (DR1–DR3).')).toBe('После ДР2 и пре ДР3 (ДР1–ДР3).');
    expect(toCyrillic('npr. `/lc snooze 1w` ili 2d')).toBe('нпр. `/lc snooze 1w` или 2d');
  });

  it('keeps commands, language codes and time-zone names in Latin script outside code spans too', () => {
    expect(toCyrillic('Upišite /lc feedback-round [klaster] ili /lc help.')).toBe('Упишите /lc feedback-round [кластер] или /lc help.');
    expect(toCyrillic('Upišite kodove kao što su en, sq, sr, bs, hr ili mk; sr-Latn ili sr-Cyrl.')).toBe('Упишите кодове као што су en, sq, sr, bs, hr или mk; sr-Latn или sr-Cyrl.');
    expect(toCyrillic('npr. Europe/Belgrade (kontinent/grad)')).toBe('нпр. Europe/Belgrade (континент/град)');
    expect(catalogueToCyrillic({ export: { lang: 'sr-Latn' } })).toEqual({ export: { lang: 'sr-Cyrl' } });
  });

  it('does not take a word in capitals with Serbian letters for an abbreviation', () => {
    expect(toCyrillic('VAŽNO: ČLAN')).toBe('ВАЖНО: ЧЛАН');
  });

  it('writes every string of a catalogue and keeps its keys', () => {
    expect(catalogueToCyrillic({ title_one: '{{count}} član', nested: { few: '{{count}} člana' } })).toEqual({ title_one: '{{count}} члан', nested: { few: '{{count}} члана' } });
  });
});
