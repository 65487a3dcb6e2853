/**
 * Where the ISO 2022 state returns to the initial one (PS3.5 6.1.2.5.3): at CR, LF, TAB and FF
 * in every VR, at the value delimiter '\' in multi-valued VRs, and at the component '^' and
 * component group '=' delimiters in PN.
 */
export type CharsetVR = 'SH' | 'LO' | 'UC' | 'ST' | 'LT' | 'UT' | 'PN';

export function isResetPoint(cp: number, vr: CharsetVR): boolean {
  switch (cp) {
    case 0x0a:
    case 0x0d:
    case 0x09:
    case 0x0c:
      return true;
    case 0x5c:
      return vr === 'SH' || vr === 'LO' || vr === 'UC' || vr === 'PN';
    case 0x5e:
    case 0x3d:
      return vr === 'PN';
    default:
      return false;
  }
}
