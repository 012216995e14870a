// `dmesg -T` (--time-format=ctime) in other locales. util-linux formats the stamp with strftime() and a
// translated format (po/*.po of sys-utils/dmesg.c: de "%a, %e. %b %Y, %H:%M:%S", fr "%a %e %b %H:%M:%S %Y",
// ja "%Y年%m月%d日 %H時%M分%S秒" in some releases, others keep the C order), so the names of days and months and the
// order of the fields vary. The stamp is read by structure, not by one format: a bracket holding a time of day
// (hh:mm:ss, or hh時mm分ss秒) and a four-digit year, a day of the month, and a month given by name (abbreviated or
// not, in the common locales below), or by number (`2月`, `2월`, a numeric date). A month name that no table
// knows is numbered by order of appearance (a boot log spans at most a month change or two), so differences of
// times, all trace-probe needs, stay right.

/** Month names and abbreviations of common locales, lower case, dots removed; index = month. */
const MONTH_NAMES: string[][] = [
  ['jan', 'january', 'januar', 'janv', 'janvier', 'ene', 'enero', 'gen', 'gennaio', 'janeiro', 'januari', 'sty', 'stycznia', 'styczeń', 'янв', 'января', 'январь', 'led', 'ledna', 'tammi', 'tammikuuta', 'ocak', 'oca', 'jän', 'jänner', 'gener', 'urt', 'ian', 'ιαν', 'sty'],
  ['feb', 'february', 'februar', 'févr', 'fevr', 'février', 'febrero', 'febbraio', 'fev', 'fevereiro', 'februari', 'lut', 'lutego', 'luty', 'фев', 'февраля', 'февраль', 'úno', 'února', 'helmi', 'helmikuuta', 'şub', 'şubat', 'febr', 'febrer', 'φεβ'],
  ['mar', 'march', 'märz', 'mär', 'mrz', 'mars', 'marzo', 'março', 'mrt', 'maart', 'marca', 'marzec', 'мар', 'марта', 'март', 'bře', 'března', 'maalis', 'maaliskuuta', 'márc', 'març', 'μαρ'],
  ['apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile', 'kwi', 'kwietnia', 'апр', 'апреля', 'апрель', 'dub', 'dubna', 'huhti', 'huhtikuuta', 'nis', 'nisan', 'ápr', 'απρ'],
  ['may', 'mai', 'mayo', 'mag', 'maggio', 'maio', 'mei', 'maj', 'maja', 'мая', 'май', 'kvě', 'května', 'touko', 'toukokuuta', 'mayıs', 'máj', 'maig', 'μαΐ', 'μαι'],
  ['jun', 'june', 'juni', 'juin', 'junio', 'giu', 'giugno', 'junho', 'cze', 'czerwca', 'июн', 'июня', 'июнь', 'čvn', 'června', 'kesä', 'kesäkuuta', 'haz', 'haziran', 'jún', 'juny', 'ιουν'],
  ['jul', 'july', 'juli', 'juil', 'juillet', 'julio', 'lug', 'luglio', 'julho', 'lip', 'lipca', 'июл', 'июля', 'июль', 'čvc', 'července', 'heinä', 'heinäkuuta', 'tem', 'temmuz', 'júl', 'jul', 'ιουλ'],
  ['aug', 'august', 'août', 'aout', 'ago', 'agosto', 'sie', 'sierpnia', 'авг', 'августа', 'август', 'srp', 'srpna', 'elo', 'elokuuta', 'ağu', 'ağustos', 'aug', 'agost', 'αυγ'],
  ['sep', 'sept', 'september', 'septembre', 'septiembre', 'set', 'settembre', 'setembro', 'wrz', 'września', 'сен', 'сентября', 'сентябрь', 'zář', 'září', 'syys', 'syyskuuta', 'eyl', 'eylül', 'szept', 'setembre', 'σεπ'],
  ['oct', 'october', 'okt', 'oktober', 'octobre', 'octubre', 'ott', 'ottobre', 'out', 'outubro', 'paź', 'października', 'окт', 'октября', 'октябрь', 'říj', 'října', 'loka', 'lokakuuta', 'eki', 'ekim', 'oct', 'octubre', 'οκτ'],
  ['nov', 'november', 'novembre', 'noviembre', 'novembro', 'lis', 'listopada', 'ноя', 'ноября', 'ноябрь', 'listopadu', 'marras', 'marraskuuta', 'kas', 'kasım', 'νοε'],
  ['dec', 'december', 'dez', 'dezember', 'déc', 'decembre', 'décembre', 'dic', 'diciembre', 'dicembre', 'dezembro', 'gru', 'grudnia', 'дек', 'декабря', 'декабрь', 'pro', 'prosince', 'joulu', 'joulukuuta', 'ara', 'aralık', 'des', 'desember', 'desembre', 'δεκ'],
];

const MONTH_INDEX = new Map<string, number>();
MONTH_NAMES.forEach((names, i) => {
  for (const n of names) if (!MONTH_INDEX.has(n)) MONTH_INDEX.set(n, i);
});

const BRACKET = /^\[([^\]]{8,80})\](?: ?\[ *[TC]\d+\])? ?/;
const TIME = /(\d{1,2})(?::|時)(\d\d)(?::|分)(\d\d)秒?/;
const YEAR = /(?:^|[^\d:])(\d{4})(?:年|년|(?!\d))/;
const NUMERIC_DATE = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/;

/** Whether `line` starts with a bracketed wall-clock stamp that holds a time of day and a year (any locale). */
export function isLocalizedCtime(line: string): boolean {
  const m = BRACKET.exec(line);
  // A printk stamp right after it: another tool's timestamp in front of a kernel line (a serial logger), read as a console.
  return m !== null && TIME.test(m[1]!) && YEAR.test(m[1]!) && !PRINTK_AFTER.test(line.slice(m[0].length));
}

const PRINTK_AFTER = /^(?:<\d{1,3}>)?\[ *\d+\.\d{6}\]/;

export interface LocalizedStamp {
  year: number;
  /** 0-based month, or null when only a name no table knows was found (see `monthName`). */
  month: number | null;
  monthName: string | null;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Where the message text starts. */
  textStart: number;
}

/** Reads a localized ctime stamp at the start of `line`; null when it is not one. */
export function parseLocalizedCtime(line: string): LocalizedStamp | null {
  const b = BRACKET.exec(line);
  if (b === null) return null;
  // dmesg -T -d puts the delta inside the bracket: `[ctime <    0.000003>]`.
  let inner = b[1]!.replace(/<[^>]*>/g, ' ');
  const t = TIME.exec(inner);
  if (t === null) return null;
  inner = inner.slice(0, t.index) + ' ' + inner.slice(t.index + t[0].length);
  let year: number | null = null;
  let month: number | null = null;
  let day: number | null = null;
  const numeric = NUMERIC_DATE.exec(inner);
  if (numeric !== null) {
    year = Number(numeric[1] ?? numeric[6]);
    month = Number(numeric[2] ?? numeric[5]) - 1;
    day = Number(numeric[3] ?? numeric[4]);
    inner = inner.slice(0, numeric.index) + ' ' + inner.slice(numeric.index + numeric[0].length);
  } else {
    const y = YEAR.exec(inner);
    if (y === null) return null;
    year = Number(y[1]);
    const at = y.index + y[0].indexOf(y[1]!);
    inner = inner.slice(0, at) + ' ' + inner.slice(at + y[1]!.length + (/[年년]/.test(inner.charAt(at + 4)) ? 1 : 0));
    const cjkMonth = /(\d{1,2})\s*[月월]/.exec(inner);
    if (cjkMonth !== null) {
      month = Number(cjkMonth[1]) - 1;
      inner = inner.slice(0, cjkMonth.index) + ' ' + inner.slice(cjkMonth.index + cjkMonth[0].length);
    }
    const d = /(?:^|[^\d])(\d{1,2})(?:[.日일]|(?!\d))/.exec(inner);
    if (d === null) return null;
    day = Number(d[1]);
  }
  let monthName: string | null = null;
  if (month === null) {
    const words = inner.match(/\p{L}[\p{L}.]*/gu) ?? [];
    for (const w of words) {
      const key = w.toLowerCase().replace(/\.$/, '').replace(/\./g, '');
      const i = MONTH_INDEX.get(key);
      if (i !== undefined) {
        month = i;
        monthName = null;
      }
    }
    // No known month: the last word (weekday, then month, in every translation seen) names it.
    if (month === null && words.length > 0) monthName = words[words.length - 1]!.toLowerCase();
    if (month === null && monthName === null) return null;
  }
  if (month !== null && (month < 0 || month > 11)) return null;
  if (day < 1 || day > 31) return null;
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  const second = Number(t[3]);
  if (hour > 23 || minute > 59 || second > 60) return null;
  return { year, month, monthName, day, hour, minute, second, textStart: b[0].length };
}

/** Numbers month names no table knows by order of appearance (per file). */
export class UnknownMonths {
  private seen = new Map<string, number>();
  monthOf(stamp: LocalizedStamp): number {
    if (stamp.month !== null) return stamp.month;
    const name = stamp.monthName!;
    let i = this.seen.get(name);
    if (i === undefined) {
      i = this.seen.size;
      this.seen.set(name, i);
    }
    return i;
  }
}
