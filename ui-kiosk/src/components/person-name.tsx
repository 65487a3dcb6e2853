/**
 * A DICOM person name with every component group shown: alphabetic, ideographic and phonetic
 * ("Yamada^Tarou=山田^太郎=やまだ^たろう" → "Yamada Tarou", "山田 太郎", "やまだ たろう"), so the
 * technologist sees the name as the hospital wrote it in each script.
 */
export function nameGroups(pn: string): string[] {
  return pn
    .split('=')
    .map((g) => g.split('^').filter((c) => c !== '').join(' '))
    .filter((g) => g !== '');
}

export function PersonName({ value, class: cls }: { value: string; class?: string }) {
  const groups = nameGroups(value);
  if (groups.length === 0) return <span class={cls}>—</span>;
  return (
    <span class={`pn ${cls ?? ''}`}>
      {groups.map((g, i) => (
        <span key={i} class={i === 0 ? 'pn-a' : 'pn-x'}>
          {g}
        </span>
      ))}
    </span>
  );
}
