// Event messages within what the API accepts: core/v1 Events refuse a message over 1,024 bytes.

/** The API's limit on an Event's message, in bytes. */
export const EVENT_MESSAGE_LIMIT = 1024;

const ELLIPSIS = '...';

/**
 * `message` followed by `tail`, cut to the limit: the message loses its end (marked `...`), the
 * tail (which names the object) is kept whole. Put the reason at the start of `message`.
 */
export function clampEventMessage(message: string, tail = ''): string {
  const whole = message + tail;
  if (Buffer.byteLength(whole) <= EVENT_MESSAGE_LIMIT) return whole;
  const budget = EVENT_MESSAGE_LIMIT - Buffer.byteLength(tail) - ELLIPSIS.length;
  return `${cutToBytes(message, Math.max(0, budget))}${ELLIPSIS}${tail}`;
}

/** The longest start of `text` that fits `bytes` in UTF-8, never splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}
