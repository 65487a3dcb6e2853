/**
 * `dcmdump` output reduced to what must agree between two encodings of the same data set:
 * tag, VR, value, VM and name of each element, nesting included. Lengths, and whether a
 * sequence or item was encoded with explicit or undefined length, are dropped, because
 * dcmconv re-encodes those by choice, not by necessity.
 */
export function normalizeDcmdump(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# Dicom-Data-Set'));
  const out: string[] = [];
  for (const raw of lines.slice(start >= 0 ? start + 1 : 0)) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    if (/\(FFFE,E00D\)|\(FFFE,E0DD\)/i.test(raw)) continue; // delimiters exist only with undefined lengths
    let l = raw.replace(/\s+#\s*(?:\d+|u\/l),\s*(\S+)\s+(\S+)\s*$/, '  # VM=$1 $2');
    l = l.replace(/\((Sequence|Item) with (explicit|undefined) length #=(\d+)\)/, '($1 #=$3)');
    l = l.replace(/\s{2,}#/, '  #');
    out.push(l.trimEnd());
  }
  return out;
}
