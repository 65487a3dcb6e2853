/**
 * Person Name (PN) values as structure: up to three component groups (alphabetic, ideographic,
 * phonetic, separated by '=') of five components each (family^given^middle^prefix^suffix),
 * PS3.5 6.2.1. Works on decoded text: bytes are decoded first (see decodeText), because '^' and
 * '=' bytes can occur inside multi-byte characters.
 */
export interface PersonNameGroup {
  family: string;
  given: string;
  middle: string;
  prefix: string;
  suffix: string;
}

export interface PersonName {
  alphabetic: PersonNameGroup;
  ideographic: PersonNameGroup;
  phonetic: PersonNameGroup;
}

const KEYS = ['family', 'given', 'middle', 'prefix', 'suffix'] as const;

export function emptyPersonNameGroup(): PersonNameGroup {
  return { family: '', given: '', middle: '', prefix: '', suffix: '' };
}

function parseGroup(s: string | undefined): PersonNameGroup {
  const g = emptyPersonNameGroup();
  if (!s) return g;
  const parts = s.split('^');
  KEYS.forEach((k, i) => (g[k] = parts[i] ?? ''));
  // More than five components is not valid PN; keep the extras in the suffix rather than lose them.
  if (parts.length > 5) g.suffix = parts.slice(4).join('^');
  return g;
}

/** Parses one PN value (no '\'), e.g. "Yamada^Tarou=山田^太郎=やまだ^たろう". */
export function parsePersonName(value: string): PersonName {
  const groups = value.split('=');
  const extra = groups.length > 3 ? groups.slice(2).join('=') : groups[2];
  return { alphabetic: parseGroup(groups[0]), ideographic: parseGroup(groups[1]), phonetic: parseGroup(extra) };
}

function formatGroup(g: PersonNameGroup): string {
  const parts = KEYS.map((k) => g[k]);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/** Formats a PN value; trailing empty components and groups are left out (PS3.5 6.2.1). */
export function formatPersonName(pn: Partial<PersonName>): string {
  const groups = [pn.alphabetic, pn.ideographic, pn.phonetic].map((g) => (g ? formatGroup(g) : ''));
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}
