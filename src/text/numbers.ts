const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

/** 0-999 in words: "three hundred forty two" (no "and": the American reading). */
function underThousand(n: number): string[] {
  const words: string[] = [];
  if (n >= 100) words.push(ONES[Math.floor(n / 100)]!, 'hundred');
  const rest = n % 100;
  if (rest >= 20)
    words.push(TENS[Math.floor(rest / 10)]!, ...(rest % 10 ? [ONES[rest % 10]!] : []));
  else if (rest > 0 || words.length === 0) words.push(ONES[rest]!);
  return words;
}

/** A whole number as it is read: 2024 as a year ("twenty twenty four"), others as cardinals. */
export function integerWords(digits: string): string[] {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || digits.length > 15)
    return [...digits].map((d) => ONES[Number(d)]!);
  if (digits.length > 1 && digits.startsWith('0')) return [...digits].map((d) => ONES[Number(d)]!);
  // Four-digit years are read in pairs, except 2000-2009 and round hundreds.
  if (digits.length === 4 && n >= 1100 && n < 2100 && !(n >= 2000 && n < 2010) && n % 100 !== 0) {
    const high = underThousand(Math.floor(n / 100));
    const low = n % 100;
    return [...high, ...(low < 10 ? ['oh', ONES[low]!] : underThousand(low))];
  }
  if (n === 0) return ['zero'];
  const words: string[] = [];
  for (let scale = SCALES.length - 1, rest = n; scale >= 0; scale--) {
    const unit = 1000 ** scale;
    const group = Math.floor(rest / unit);
    rest %= unit;
    if (group > 0) words.push(...underThousand(group), ...(SCALES[scale] ? [SCALES[scale]!] : []));
  }
  return words;
}

const ORDINAL_ENDINGS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function ordinal(words: string[]): string[] {
  const last = words.at(-1)!;
  const spoken =
    ORDINAL_ENDINGS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return [...words.slice(0, -1), spoken];
}

/** "nineties", "sixes", "fours". */
const pluralOf = (word: string) =>
  word.endsWith('y') ? `${word.slice(0, -1)}ies` : word.endsWith('x') ? `${word}es` : `${word}s`;

/**
 * Digits in a written word spelled out as they are read: "42" → forty two, "1,200" → one
 * thousand two hundred, "3.5" → three point five, "21st" → twenty first, "1990s" → nineteen
 * nineties. Letters around the number stay as they are ("mp3" → mp three).
 */
export function spellNumbers(word: string): string {
  return word
    .replace(/(\d)[,](?=\d{3}\b)/g, '$1')
    .replace(
      /(\d+)(?:(st|nd|rd|th)|(s)|\.(\d+))?/gi,
      (_, whole: string, ord?: string, plural?: string, fraction?: string) => {
        let words = integerWords(whole);
        if (ord) words = ordinal(words);
        if (plural) words = [...words.slice(0, -1), pluralOf(words.at(-1)!)];
        if (fraction) words = [...words, 'point', ...[...fraction].map((d) => ONES[Number(d)]!)];
        return ` ${words.join(' ')} `;
      },
    )
    .replace(/\s+/g, ' ')
    .trim();
}
