import Holidays from 'date-holidays';

const cache = new Map<string, Set<string>>();

/**
 * "Is this local date a public holiday in the person's country?" for working-hour deadlines: a question
 * asked before Orthodox Christmas in Serbia should not fall due on it. Unknown or missing countries have
 * no holidays. Calendars are computed once per country and year (date-holidays works offline).
 */
export function publicHolidayCalendar(country: string | null | undefined): ((isoDate: string) => boolean) | undefined {
  if (!country || !/^[A-Z]{2}$/i.test(country)) return undefined;
  const code = country.toUpperCase();
  const supported = new Holidays().getCountries();
  if (!supported[code]) return undefined;
  return (isoDate: string) => {
    const year = Number(isoDate.slice(0, 4));
    const key = `${code}:${year}`;
    let days = cache.get(key);
    if (!days) {
      days = new Set(new Holidays(code).getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
      cache.set(key, days);
    }
    return days.has(isoDate);
  };
}
