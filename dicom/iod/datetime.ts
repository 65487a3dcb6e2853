/** DA, TM and DT values from a Date (local time, as a cart's clock shows it). Pure: the caller supplies the instant. */
const p2 = (n: number): string => String(n).padStart(2, '0');

export function dicomDate(d: Date): string {
  return `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}`;
}

export function dicomTime(d: Date): string {
  return `${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}000`;
}

export function dicomDateTime(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${dicomDate(d)}${dicomTime(d)}${sign}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
}
