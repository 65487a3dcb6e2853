/**
 * Collects decoded code points into a string without building one string per character.
 */
export class TextSink {
  private readonly parts: string[] = [];
  private units: number[] = [];

  push(cp: number): void {
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      this.units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else {
      this.units.push(cp);
    }
    if (this.units.length >= 8192) this.flush();
  }

  private flush(): void {
    if (this.units.length === 0) return;
    this.parts.push(String.fromCharCode(...this.units));
    this.units = [];
  }

  toString(): string {
    this.flush();
    return this.parts.join('');
  }
}

/**
 * The code points of a JS string. A lone surrogate cannot be written in any character set, so
 * it is reported to `onLoneSurrogate` (which throws) with its index.
 */
export function* codePoints(text: string, onLoneSurrogate: (unit: number, index: number) => never): Generator<number> {
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const lo = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        yield 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        i++;
        continue;
      }
      onLoneSurrogate(u, i);
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      onLoneSurrogate(u, i);
    }
    yield u;
  }
}
