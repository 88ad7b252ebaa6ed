/**
 * The output cap, counted in UTF-8 bytes (what the limit means on the wire and in the database), cut at a
 * character boundary so the kept text stays valid.
 */
export class OutputCap {
  readonly limitBytes: number;
  #usedBytes = 0;
  #truncated = false;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  /** The part of `text` that still fits; after the first cut, nothing fits any more. */
  take(text: string): string {
    if (this.#truncated) return '';
    const room = this.limitBytes - this.#usedBytes;
    // Fast path: no string is longer in UTF-8 than three bytes per UTF-16 unit.
    if (text.length * 3 <= room) {
      this.#usedBytes += utf8Length(text);
      return text;
    }
    let bytes = 0;
    let end = 0;
    for (const char of text) {
      const size = utf8Length(char);
      if (bytes + size > room) {
        this.#truncated = true;
        break;
      }
      bytes += size;
      end += char.length;
    }
    this.#usedBytes += bytes;
    return text.slice(0, end);
  }
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
