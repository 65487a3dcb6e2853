/** JPEG marker codes (ITU-T T.81 Table B.1): the byte that follows 0xFF. */
export const SOF0 = 0xc0; // baseline DCT, Huffman
export const SOF1 = 0xc1; // extended sequential DCT, Huffman
export const SOF2 = 0xc2; // progressive DCT, Huffman
export const SOF3 = 0xc3; // lossless (sequential), Huffman
export const DHT = 0xc4;
export const DAC = 0xcc;
export const RST0 = 0xd0;
export const RST7 = 0xd7;
export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DQT = 0xdb;
export const DNL = 0xdc;
export const DRI = 0xdd;
export const APP0 = 0xe0;
export const APP15 = 0xef;
export const COM = 0xfe;

/** True for SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
export function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== DHT && m !== 0xc8 && m !== DAC;
}

export function isRst(m: number): boolean {
  return m >= RST0 && m <= RST7;
}

/** Markers that stand alone (no length field): TEM, RSTn, SOI, EOI. */
export function isStandalone(m: number): boolean {
  return m === 0x01 || (m >= RST0 && m <= EOI);
}

export function markerName(m: number): string {
  switch (m) {
    case SOI: return 'SOI';
    case EOI: return 'EOI';
    case SOS: return 'SOS';
    case DHT: return 'DHT';
    case DQT: return 'DQT';
    case DRI: return 'DRI';
    case DNL: return 'DNL';
    case COM: return 'COM';
    default:
      if (isSof(m)) return `SOF${m - 0xc0}`;
      if (isRst(m)) return `RST${m - RST0}`;
      if (m >= APP0 && m <= APP15) return `APP${m - APP0}`;
      return `0xFF${m.toString(16).toUpperCase().padStart(2, '0')}`;
  }
}
