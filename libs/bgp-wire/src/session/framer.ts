import { HEADER_LENGTH } from '../codec/constants.js';
import { messageLength } from '../codec/message.js';

/**
 * Cuts a TCP byte stream into BGP messages. A message is returned as a view that stays valid
 * until the next `push`; a header whose length field is impossible is returned alone, so the
 * decoder reports the header error instead of the stream waiting forever.
 */
export class Framer {
  private buf = new Uint8Array(8192);
  private start = 0;
  private end = 0;

  push(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.buf.length) {
      const pending = this.end - this.start;
      if (pending + bytes.length > this.buf.length) {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, pending + bytes.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** The next complete message (header included), or undefined until more bytes arrive. */
  next(maxLength: number): Uint8Array | undefined {
    const length = messageLength(this.buf, this.start, this.end);
    if (length === undefined) return undefined;
    const size = length < HEADER_LENGTH || length > maxLength ? HEADER_LENGTH : length;
    if (this.end - this.start < size) return undefined;
    const message = this.buf.subarray(this.start, this.start + size);
    this.start += size;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return message;
  }

  get buffered(): number {
    return this.end - this.start;
  }
}
