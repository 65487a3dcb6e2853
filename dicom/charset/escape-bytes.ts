/**
 * A display form for bytes that could not be decoded: printable ASCII as is, ESC as \e, any
 * other byte as \xNN. Keeps the value readable (names are mostly ASCII around the bad part)
 * while showing exactly which bytes arrived.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e) s += String.fromCharCode(b);
    else if (b === 0x1b) s += '\\e';
    else s += '\\x' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}
